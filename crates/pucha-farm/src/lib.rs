//! pucha-farm (being written).
