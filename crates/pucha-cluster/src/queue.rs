//! The job queue: at-least-once delivery with explicit settlement.
//!
//! A delivery that is dropped without being settled goes back to the queue, as an
//! unacknowledged RabbitMQ message does when its channel closes.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use pucha_core::Job;
use tokio::sync::Notify;

use crate::error::QueueError;

/// How a delivery is settled; implemented by each queue backend.
#[async_trait]
pub trait Settle: Send {
    /// Done: remove the job for good.
    async fn ack(self: Box<Self>) -> Result<(), QueueError>;
    /// Give the job back for another worker (e.g. on shutdown).
    async fn requeue(self: Box<Self>) -> Result<(), QueueError>;
    /// Move the job to the dead-letter queue.
    async fn dead_letter(self: Box<Self>, reason: &str) -> Result<(), QueueError>;
}

/// One job handed to a worker.
pub struct Delivery {
    pub job: Job,
    /// The broker delivered it before (a worker died or gave it back).
    pub redelivered: bool,
    settle: Box<dyn Settle>,
}

impl Delivery {
    pub fn new(job: Job, redelivered: bool, settle: Box<dyn Settle>) -> Delivery {
        Delivery {
            job,
            redelivered,
            settle,
        }
    }
    pub async fn ack(self) -> Result<(), QueueError> {
        self.settle.ack().await
    }
    pub async fn requeue(self) -> Result<(), QueueError> {
        self.settle.requeue().await
    }
    pub async fn dead_letter(self, reason: &str) -> Result<(), QueueError> {
        self.settle.dead_letter(reason).await
    }
}

/// A durable job queue.
#[async_trait]
pub trait JobQueue: Send + Sync {
    /// Publishes a job; returns once the queue holds it durably (publisher confirm).
    async fn publish(&self, job: &Job) -> Result<(), QueueError>;
    /// Publishes a batch; returns once every job is held durably. Backends may pipeline it.
    async fn publish_many(&self, jobs: &[Job]) -> Result<(), QueueError> {
        for job in jobs {
            self.publish(job).await?;
        }
        Ok(())
    }
    /// Publishes a job that becomes visible after `delay` (retry with backoff).
    async fn publish_delayed(&self, job: &Job, delay: Duration) -> Result<(), QueueError>;
    /// Waits for the next job; `None` once the queue is closed for this consumer.
    async fn next(&self) -> Result<Option<Delivery>, QueueError>;
    /// Jobs waiting to be taken.
    async fn depth(&self) -> Result<u64, QueueError>;
    /// Stops handing out jobs to this process's consumers (shutdown); pending `next` calls return `None`.
    async fn close(&self);
}

#[derive(Default)]
struct MemInner {
    ready: VecDeque<(Job, bool)>,
    dead: Vec<(Job, String)>,
    closed: bool,
}

/// The in-process queue of embedded mode.
#[derive(Clone, Default)]
pub struct MemQueue {
    inner: Arc<Mutex<MemInner>>,
    notify: Arc<Notify>,
}

impl MemQueue {
    pub fn new() -> MemQueue {
        MemQueue::default()
    }

    /// Jobs moved to the dead-letter queue, with the reason.
    pub fn dead_letters(&self) -> Vec<(Job, String)> {
        self.inner.lock().expect("queue lock").dead.clone()
    }

    fn push(&self, job: Job, redelivered: bool) {
        self.inner
            .lock()
            .expect("queue lock")
            .ready
            .push_back((job, redelivered));
        self.notify.notify_one();
    }
}

struct MemSettle {
    queue: MemQueue,
    job: Option<Job>,
}

impl Drop for MemSettle {
    fn drop(&mut self) {
        // Unsettled: back to the queue, flagged as redelivered.
        if let Some(job) = self.job.take() {
            self.queue.push(job, true);
        }
    }
}

#[async_trait]
impl Settle for MemSettle {
    async fn ack(mut self: Box<Self>) -> Result<(), QueueError> {
        self.job = None;
        Ok(())
    }
    async fn requeue(mut self: Box<Self>) -> Result<(), QueueError> {
        if let Some(job) = self.job.take() {
            self.queue.push(job, true);
        }
        Ok(())
    }
    async fn dead_letter(mut self: Box<Self>, reason: &str) -> Result<(), QueueError> {
        if let Some(job) = self.job.take() {
            self.queue
                .inner
                .lock()
                .expect("queue lock")
                .dead
                .push((job, reason.to_string()));
        }
        Ok(())
    }
}

#[async_trait]
impl JobQueue for MemQueue {
    async fn publish(&self, job: &Job) -> Result<(), QueueError> {
        if self.inner.lock().expect("queue lock").closed {
            return Err(QueueError::Closed);
        }
        self.push(job.clone(), false);
        Ok(())
    }

    async fn publish_delayed(&self, job: &Job, delay: Duration) -> Result<(), QueueError> {
        let q = self.clone();
        let job = job.clone();
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            q.push(job, false);
        });
        Ok(())
    }

    async fn next(&self) -> Result<Option<Delivery>, QueueError> {
        loop {
            let notified = self.notify.notified();
            {
                let mut g = self.inner.lock().expect("queue lock");
                if g.closed {
                    return Ok(None);
                }
                if let Some((job, redelivered)) = g.ready.pop_front() {
                    let settle = MemSettle {
                        queue: self.clone(),
                        job: Some(job.clone()),
                    };
                    return Ok(Some(Delivery::new(job, redelivered, Box::new(settle))));
                }
            }
            notified.await;
        }
    }

    async fn depth(&self) -> Result<u64, QueueError> {
        Ok(self.inner.lock().expect("queue lock").ready.len() as u64)
    }

    async fn close(&self) {
        self.inner.lock().expect("queue lock").closed = true;
        self.notify.notify_waiters();
    }
}
