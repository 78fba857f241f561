//! pucha-crawl (being written).
