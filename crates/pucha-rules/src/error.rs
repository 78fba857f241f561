//! The errors of pucha-rules: only loading a rule pack can fail; rule outcomes are values.

use std::path::PathBuf;

/// A rule pack could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RulesError {
    #[error("cannot read rule pack {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("rule pack {path} is not a valid pack: {source}")]
    Toml {
        path: PathBuf,
        #[source]
        source: toml::de::Error,
    },
    #[error("rule pack values are invalid: {0}")]
    Invalid(String),
    #[error("rule pack {label} (sha256 {want}) resolves here to {got_label} (sha256 {got}): this worker's built-in pack differs from the coordinator's; run workers of the coordinator's version")]
    PackMismatch {
        label: String,
        want: String,
        got: String,
        got_label: String,
    },
}
