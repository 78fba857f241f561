//! pucha's domain model, shared by every other crate.
//!
//! This crate holds only data and pure functions over it: the site list and
//! its parsing, runs and jobs, the facts extracted from one page, what a crawl
//! of one site produced, the findings and verdicts of the rules, and the
//! run summary. It performs no network IO, so every crate (pure or IO) can
//! depend on it and tests can build any value by hand.

pub mod crawl;
pub mod facts;
pub mod intern;
pub mod result;
pub mod rule_ids;
pub mod run;
pub mod site;
pub mod sitelist;
pub mod summary;

pub use crawl::*;
pub use facts::*;
pub use intern::{Interner, SharedStr};
pub use result::*;
pub use run::*;
pub use site::*;
pub use summary::*;

/// China Standard Time (UTC+8): every window of the indicators is computed in it.
pub fn cst() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(8 * 3600).expect("valid offset")
}
