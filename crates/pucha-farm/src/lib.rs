//! pucha-farm: the built-in demo farm.
//!
//! A deterministic generator of synthetic Chinese government websites, set in
//! one fictitious city (青岚市), in five CMS markup styles, UTF-8 and GBK, with
//! defects injected at known places and a ground truth that names them with the
//! rule ids of `shared/spec/indicators.md`. [`FarmServer`] serves a farm over
//! loopback, one address per site. It is the fixture of `pucha demo`, of the
//! integration tests and of the crawl benchmark; docs/demo-farm.md describes it.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use pucha_farm::{Farm, FarmServer, FarmSpec};
//! let farm = Farm::generate(&FarmSpec::demo());
//! let server = FarmServer::start(farm, "127.0.3.0".parse().unwrap()).await?;
//! let sites = server.sites();   // pucha_core::Site with real URLs
//! let truth = server.truth();   // what a correct census must find
//! # drop((sites, truth)); server.shutdown().await; Ok(()) }
//! ```

mod farm;
mod items;
mod names;
mod plan;
mod render;
mod rng;
mod server;
mod spec;
mod truth;
mod world;

pub use farm::{Farm, FarmSite, Page, HOST_MARK};
pub use plan::{Availability, Style};
pub use server::{site_ip, FarmServer, ServeError};
pub use spec::FarmSpec;
pub use truth::{ColumnTruth, DefectTruth, FarmTruth, SiteDetails, SiteTruth, ASSERTED_RULES};
pub use world::{links as world_links, pathological_html, Blackhole, World, WorldSpec, DEAD_NAME};
