//! Subcommands: each module has its clap `Args` and an async `run`.

pub mod check_page;
pub mod coordinator;
pub mod demo;
pub mod diff;
pub mod farm;
pub mod monitor;
pub mod report;
pub mod review;
pub mod run;
pub mod runs;
pub mod worker;
