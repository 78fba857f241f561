//! The crawler's own errors. Problems of a crawled site are never errors: they are values
//! inside `SiteCrawl`. `CrawlError` is kept for failures to set the crawler up.

/// Why a [`crate::Crawler`] could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CrawlError {
    /// The HTTP client could not be built (TLS backend, invalid user agent, ...).
    #[error("cannot build the HTTP client: {0}")]
    Client(#[source] reqwest::Error),
    /// A setting is out of range or unparsable.
    #[error("invalid crawl setting {setting}: {detail}")]
    Config {
        setting: &'static str,
        detail: String,
    },
    /// One page asked for by itself (`pucha check-page`) could not be fetched.
    #[error("cannot fetch {url}: {reason}")]
    Fetch { url: String, reason: String },
}

impl CrawlError {
    /// Setup errors never go away by retrying.
    pub fn is_transient(&self) -> bool {
        false
    }
}
