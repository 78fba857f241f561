//! The census machinery: a job queue and a result store behind traits, and the
//! coordinator and worker loops written once against them.
//!
//! Embedded mode plugs in the in-process [`queue::MemQueue`] and [`store::MemStore`];
//! distributed mode plugs in RabbitMQ and Redis. The loops do not know which.

pub mod admission;
pub mod amqp;
pub mod checker;
pub mod coordinator;
pub mod drill;
pub mod embedded;
pub mod error;
pub mod file_store;
pub mod health;
pub mod host_pace;
pub mod link_cache;
pub mod queue;
pub mod redis_store;
pub mod store;
pub mod worker;

pub use amqp::{AmqpConfig, AmqpQueue, RawDelivery};
pub use error::{QueueError, StoreError};
pub use file_store::{open_store, open_store_with_prefix, FileStore};
pub use redis_store::RedisStore;
/// The shutdown signal the loops take (re-exported so callers need no tokio-util).
pub use tokio_util::sync::CancellationToken;

/// Default name prefix: RabbitMQ queues are `pucha.jobs…`, Redis keys `pucha:…`.
pub const DEFAULT_PREFIX: &str = "pucha";
