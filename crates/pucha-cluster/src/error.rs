//! Errors of the cluster's own machinery (never of the sites it checks: those are findings).

/// A queue operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum QueueError {
    #[error("the job queue is closed")]
    Closed,
    #[error("cannot reach the message broker: {0} (is RabbitMQ running? start it with `rabbitmq-server -detached`)")]
    Connection(String),
    /// The broker refused the credentials (ACCESS_REFUSED): not retried, the URL must change.
    #[error("{0}")]
    Auth(String),
    #[error("the broker did not confirm a published job: {0}")]
    NotConfirmed(String),
    #[error("cannot encode or decode a job: {0}")]
    Codec(String),
    #[error("queue error: {0}")]
    Other(String),
}

impl QueueError {
    /// Whether retrying after a reconnect may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            QueueError::Connection(_) | QueueError::NotConfirmed(_)
        )
    }
}

/// A store operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    #[error("cannot reach the result store: {0} (is Redis running on the configured URL?)")]
    Connection(String),
    /// Redis refused the credentials (NOAUTH, WRONGPASS): not retried, the URL must change.
    #[error("{0}")]
    Auth(String),
    #[error("cannot encode or decode a stored record: {0}")]
    Codec(String),
    #[error("run {0} is not in the store")]
    NoSuchRun(String),
    /// A result for a site that is not in the run's site list (a stale job of another list).
    #[error("site {site} is not in run {run}; its result is rejected")]
    NotInRun { run: String, site: String },
    #[error("store IO error: {0}")]
    Io(String),
    #[error("store error: {0}")]
    Other(String),
}

impl StoreError {
    /// Whether retrying after a reconnect may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, StoreError::Connection(_))
    }
}
