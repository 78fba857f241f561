//! pucha-analyze (being written).
