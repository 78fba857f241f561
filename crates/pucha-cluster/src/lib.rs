//! pucha-cluster (being written).
