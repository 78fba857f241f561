//! pucha-rules: pure rule evaluation (no IO, no async).
//!
//! Input is what a crawl produced ([`pucha_core::SiteCrawl`]) or one page's facts
//! ([`pucha_core::PageFacts`]); output is findings with evidence, a verdict and, in full_score mode,
//! a score. Every threshold, window, point value, keyword list and the wording dictionary come from
//! a versioned [`RulePack`] (the national `gb-2019` pack is built in; province overlays are TOML
//! files). Time is an argument ([`EvalContext::as_of`]), so every window is testable.
//!
//! - [`columns`]: the site model (columns, their class, newest item, blank/stale).
//! - [`evaluate`]: every automatic rule of the indicators over one site, the verdict and the score.
//! - [`check_page`]: the page-level rules for one page.

mod columns;
mod dates;
mod error;
mod eval;
mod ext;
mod finding;
mod interact;
mod pack;
mod page;
mod phrases;
mod publish;
mod score;
mod security;
mod spam;
mod wording;

pub use columns::{classify, columns, columns_at, Column, ColumnClass};
pub use dates::{date_in_url, days_before, months_before, Window};
pub use error::RulesError;
pub use eval::{evaluate, EvalContext};
pub use ext::{AnnualReport, Extensions, OutdatedNames, RegisterEntry};
pub use pack::*;
pub use page::check_page;
pub use score::no_service_site;
pub use spam::{SpamDict, SpamHit};
pub use wording::{Dictionary, Entry as WordingEntry, Hit as WordingHit};
