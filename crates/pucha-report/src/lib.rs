//! pucha-report (being written).
