//! pucha-rules (being written).
