//! The census machinery: a job queue and a result store behind traits, and the
//! coordinator and worker loops written once against them.
//!
//! Embedded mode plugs in the in-process [`queue::MemQueue`] and [`store::MemStore`];
//! distributed mode plugs in RabbitMQ and Redis. The loops do not know which.

// pub mod checker; (enabled once pucha-crawl and pucha-rules land)
pub mod coordinator;
pub mod embedded;
pub mod error;
pub mod queue;
pub mod store;
pub mod worker;

pub use error::{QueueError, StoreError};
