//! The `pucha` command line: thin wiring of the library crates.
//!
//! Each subcommand lives in `cmd/<name>.rs` with its clap `Args` and a `run` function;
//! `census` holds what the census commands share.

pub mod census;
pub mod cmd;
pub mod config;
