//! pucha-metrics (being written).
