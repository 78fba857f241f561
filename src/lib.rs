//! The `pucha` command line: thin wiring of the library crates.
//!
//! Each subcommand lives in `cmd/<name>.rs` with its clap `Args` and a `run` function.

pub mod cmd;
