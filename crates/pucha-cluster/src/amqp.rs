//! The RabbitMQ job queue of distributed mode.
//!
//! Topology, all on the default exchange (names start with a configurable prefix,
//! `pucha` by default):
//!
//! - `{p}.jobs`: durable work queue; persistent messages; publisher confirms; consumers
//!   use manual acks and a bounded prefetch. Rejected messages dead-letter into
//!   `{p}.jobs.dead` (`x-dead-letter-exchange` = "", `x-dead-letter-routing-key`).
//! - `{p}.jobs.dead`: durable dead-letter queue (poison jobs, with an `x-pucha-reason` header).
//! - `{p}.jobs.retry.{ms}`: one durable queue per retry delay with `x-message-ttl` = delay
//!   that dead-letters back into `{p}.jobs` (delayed retry without a plugin; one queue
//!   per delay so a long delay never holds up a short one). Idle ones expire (`x-expires`).
//!
//! Connections are re-opened with backoff after a broker restart or a forced close; an
//! unacked delivery of a dead channel is redelivered by the broker. RabbitMQ's
//! `consumer_timeout` (30 min by default) closes a channel whose delivery stays unacked
//! too long; the worker's lease makes such a redelivery wait instead of running the site
//! twice (see docs/cluster.md). [`AmqpConfig::consumer_timeout`] sets the per-queue
//! `x-consumer-timeout` argument (honoured by RabbitMQ 3.12 and later).

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use futures::{FutureExt, StreamExt};
use lapin::options::{
    BasicAckOptions, BasicCancelOptions, BasicConsumeOptions, BasicNackOptions,
    BasicPublishOptions, BasicQosOptions, BasicRejectOptions, ConfirmSelectOptions,
    QueueDeclareOptions, QueueDeleteOptions,
};
use lapin::types::{AMQPValue, FieldTable, LongString, ShortString};
use lapin::{BasicProperties, Channel, Connection, ConnectionProperties, Consumer};
use pucha_core::Job;
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};

use crate::error::QueueError;
use crate::queue::{Delivery, JobQueue, Settle};
use crate::store::redact_url;

/// RabbitMQ settings.
#[derive(Debug, Clone)]
pub struct AmqpConfig {
    /// `amqp://user:pass@host:port/vhost`
    pub url: String,
    /// Queue name prefix (`pucha`): tests use a unique one each.
    pub prefix: String,
    /// Unacked deliveries per consumer (set it to the worker's concurrency).
    pub prefetch: u16,
    /// Per-queue `x-consumer-timeout`; `None` leaves the broker's `consumer_timeout`.
    /// Changing it on an existing queue is refused by the broker (delete the queue first).
    pub consumer_timeout: Option<Duration>,
    /// Shown in the broker's connection list.
    pub connection_name: String,
    /// How long `publish` keeps reconnecting before it gives up.
    pub publish_patience: Duration,
}

impl AmqpConfig {
    pub fn new(url: &str, prefix: &str) -> AmqpConfig {
        AmqpConfig {
            url: url.to_string(),
            prefix: prefix.to_string(),
            prefetch: 8,
            consumer_timeout: None,
            connection_name: format!("pucha-{}", std::process::id()),
            publish_patience: Duration::from_secs(120),
        }
    }

    pub fn jobs_queue(&self) -> String {
        format!("{}.jobs", self.prefix)
    }

    pub fn dead_queue(&self) -> String {
        format!("{}.jobs.dead", self.prefix)
    }

    pub fn retry_queue(&self, delay: Duration) -> String {
        format!("{}.jobs.retry.{}", self.prefix, delay.as_millis())
    }
}

/// A live connection and its publishing channel (publisher confirms on).
#[derive(Clone)]
struct Link {
    conn: Arc<Connection>,
    publish: Channel,
    generation: u64,
}

impl Link {
    fn usable(&self) -> bool {
        self.conn.status().connected() && self.publish.status().connected()
    }
}

struct Inner {
    cfg: AmqpConfig,
    url_redacted: String,
    link: tokio::sync::Mutex<Option<Link>>,
    generations: std::sync::atomic::AtomicU64,
    consumer_restarts: std::sync::atomic::AtomicU64,
    consumer: tokio::sync::Mutex<Option<(Channel, Consumer)>>,
    closed: CancellationToken,
    /// Retry queues declared on the current connection generation.
    retry_declared: Mutex<HashSet<(u64, u128)>>,
}

/// The job queue on RabbitMQ. Cheap to clone.
#[derive(Clone)]
pub struct AmqpQueue {
    inner: Arc<Inner>,
}

fn broker_up(up: bool) {
    pucha_metrics::metrics()
        .dependency_up(pucha_metrics::Dependency::Broker)
        .set(i64::from(up));
}

fn amqp_err(e: lapin::Error) -> QueueError {
    QueueError::Connection(e.to_string())
}

fn encode(job: &Job) -> Result<Vec<u8>, QueueError> {
    serde_json::to_vec(job).map_err(|e| QueueError::Codec(e.to_string()))
}

fn properties(job: &Job) -> BasicProperties {
    BasicProperties::default()
        .with_delivery_mode(2) // persistent
        .with_content_type("application/json".into())
        .with_message_id(format!("{}/{}", job.run_id, job.site.key()).into())
}

impl AmqpQueue {
    /// Connects (retrying with backoff until `patience` is over) and declares the topology.
    pub async fn connect(cfg: AmqpConfig, patience: Duration) -> Result<AmqpQueue, QueueError> {
        let q = AmqpQueue {
            inner: Arc::new(Inner {
                url_redacted: redact_url(&cfg.url),
                cfg,
                link: tokio::sync::Mutex::new(None),
                generations: Default::default(),
                consumer_restarts: Default::default(),
                consumer: tokio::sync::Mutex::new(None),
                closed: CancellationToken::new(),
                retry_declared: Mutex::new(HashSet::new()),
            }),
        };
        q.link(patience).await?;
        Ok(q)
    }

    pub fn config(&self) -> &AmqpConfig {
        &self.inner.cfg
    }

    /// Deletes this prefix's queues (tests and teardown).
    pub async fn delete_queues(&self, retry_delays: &[Duration]) -> Result<(), QueueError> {
        let link = self.link(Duration::from_secs(10)).await?;
        let ch = link.conn.create_channel().await.map_err(amqp_err)?;
        let cfg = &self.inner.cfg;
        let mut names = vec![cfg.jobs_queue(), cfg.dead_queue()];
        names.extend(retry_delays.iter().map(|d| cfg.retry_queue(*d)));
        for name in names {
            let _ = ch
                .queue_delete(name.into(), QueueDeleteOptions::default())
                .await;
        }
        let _ = ch.close(200, "bye".into()).await;
        Ok(())
    }

    /// Messages in the dead-letter queue.
    pub async fn dead_letter_count(&self) -> Result<u64, QueueError> {
        self.message_count(&self.inner.cfg.dead_queue()).await
    }

    /// Takes every message of the dead-letter queue (tests and `pucha runs` tooling):
    /// the jobs and the reason header.
    pub async fn drain_dead_letters(&self) -> Result<Vec<(Vec<u8>, Option<String>)>, QueueError> {
        let link = self.link(Duration::from_secs(10)).await?;
        let ch = link.conn.create_channel().await.map_err(amqp_err)?;
        let mut out = Vec::new();
        while let Some(m) = ch
            .basic_get(
                self.inner.cfg.dead_queue().into(),
                lapin::options::BasicGetOptions { no_ack: true },
            )
            .await
            .map_err(amqp_err)?
        {
            let reason = m
                .delivery
                .properties
                .headers()
                .as_ref()
                .and_then(|h| h.inner().get("x-pucha-reason").cloned())
                .and_then(|v| match v {
                    AMQPValue::LongString(s) => Some(s.to_string()),
                    _ => None,
                });
            out.push((m.delivery.data.clone(), reason));
        }
        let _ = ch.close(200, "bye".into()).await;
        Ok(out)
    }

    /// Publishes a raw message to the work queue (tooling and tests: e.g. an undecodable job).
    pub async fn publish_bytes(&self, payload: &[u8]) -> Result<(), QueueError> {
        let queue = self.inner.cfg.jobs_queue();
        self.publish_raw(
            |_| {
                let q = queue.clone();
                async move { Ok(q) }.boxed()
            },
            payload,
            BasicProperties::default().with_delivery_mode(2),
        )
        .await
    }

    /// Closes the connection: unacked deliveries go back to the queue.
    pub async fn disconnect(&self) {
        self.inner.closed.cancel();
        if let Some((ch, _)) = self.inner.consumer.lock().await.take() {
            let _ = ch.close(200, "worker stopping".into()).await;
        }
        if let Some(link) = self.inner.link.lock().await.take() {
            let _ = link.conn.close(200, "bye".into()).await;
        }
    }

    /// Closes the current connection abruptly from the client side, as a network failure
    /// would (tests); the queue reconnects on its next use.
    pub async fn drop_connection(&self) {
        if let Some(link) = self.inner.link.lock().await.as_ref() {
            let _ = link.conn.close(320, "forced close".into()).await;
        }
    }

    /// Checks that the broker connection is up, reconnecting once if it is not (within
    /// `timeout`); sets `pucha_dependency_up{dependency="broker"}`.
    pub async fn check_connection(&self, timeout: Duration) -> Result<(), QueueError> {
        let r = match tokio::time::timeout(timeout, self.link(Duration::ZERO)).await {
            Ok(r) => r.map(|_| ()),
            Err(_) => Err(QueueError::Connection(format!(
                "{}: no connection within {timeout:?}",
                self.inner.url_redacted
            ))),
        };
        broker_up(r.is_ok());
        r
    }

    /// Times the consumer channel was lost and consuming started again (a consumer
    /// timeout, a forced close, a broker restart).
    pub fn consumer_restarts(&self) -> u64 {
        self.inner
            .consumer_restarts
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Messages ready in one of this prefix's queues, e.g. [`AmqpConfig::retry_queue`]
    /// (an error when the queue does not exist).
    pub async fn message_count(&self, queue: &str) -> Result<u64, QueueError> {
        let link = self.link(self.inner.cfg.publish_patience).await?;
        let ch = link.conn.create_channel().await.map_err(amqp_err)?;
        let q = ch
            .queue_declare(
                queue.into(),
                QueueDeclareOptions {
                    passive: true,
                    ..Default::default()
                },
                FieldTable::default(),
            )
            .await
            .map_err(amqp_err)?;
        let _ = ch.close(200, "bye".into()).await;
        Ok(u64::from(q.message_count()))
    }

    /// The current link, reconnecting with backoff (up to `patience`) when it is gone.
    async fn link(&self, patience: Duration) -> Result<Link, QueueError> {
        let mut guard = self.inner.link.lock().await;
        if let Some(l) = guard.as_ref().filter(|l| l.usable()) {
            return Ok(l.clone());
        }
        let deadline = tokio::time::Instant::now() + patience;
        let mut delay = Duration::from_millis(100);
        loop {
            match self.open().await {
                Ok(link) => {
                    broker_up(true);
                    info!(url = %self.inner.url_redacted, generation = link.generation, "connected to RabbitMQ");
                    *guard = Some(link.clone());
                    return Ok(link);
                }
                Err(e) if is_access_refused(&e) => {
                    broker_up(false);
                    return Err(access_refused(
                        &self.inner.cfg.url,
                        &self.inner.url_redacted,
                    ));
                }
                Err(e) => {
                    broker_up(false);
                    if tokio::time::Instant::now() + delay > deadline {
                        return Err(QueueError::Connection(format!(
                            "{}: {e}",
                            self.inner.url_redacted
                        )));
                    }
                    warn!(url = %self.inner.url_redacted, error = %e, retry_in = ?delay, "cannot reach RabbitMQ; retrying");
                    tokio::select! {
                        _ = self.inner.closed.cancelled() => return Err(QueueError::Closed),
                        _ = tokio::time::sleep(delay) => {}
                    }
                    delay = (delay * 2).min(Duration::from_secs(5));
                }
            }
        }
    }

    async fn open(&self) -> Result<Link, lapin::Error> {
        // (A refusal of the credentials surfaces from `Connection::connect`; see `is_access_refused`.)
        let cfg = &self.inner.cfg;
        let props = ConnectionProperties::default()
            .with_connection_name(LongString::from(cfg.connection_name.as_str()));
        let conn = Connection::connect(&cfg.url, props).await?;
        let publish = conn.create_channel().await?;
        publish
            .confirm_select(ConfirmSelectOptions::default())
            .await?;
        publish
            .queue_declare(
                cfg.dead_queue().into(),
                QueueDeclareOptions::durable(),
                FieldTable::default(),
            )
            .await?;
        let mut args = FieldTable::default();
        args.insert(
            "x-dead-letter-exchange".into(),
            AMQPValue::LongString("".into()),
        );
        args.insert(
            "x-dead-letter-routing-key".into(),
            AMQPValue::LongString(cfg.dead_queue().as_str().into()),
        );
        if let Some(t) = cfg.consumer_timeout {
            args.insert(
                "x-consumer-timeout".into(),
                AMQPValue::LongLongInt(t.as_millis() as i64),
            );
        }
        publish
            .queue_declare(
                cfg.jobs_queue().into(),
                QueueDeclareOptions::durable(),
                args,
            )
            .await?;
        let generation = self
            .inner
            .generations
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
            + 1;
        Ok(Link {
            conn: Arc::new(conn),
            publish,
            generation,
        })
    }

    async fn declare_retry_queue(
        &self,
        link: &Link,
        delay: Duration,
    ) -> Result<String, lapin::Error> {
        let cfg = &self.inner.cfg;
        let name = cfg.retry_queue(delay);
        let ms = delay.as_millis();
        let mut args = FieldTable::default();
        args.insert("x-message-ttl".into(), AMQPValue::LongLongInt(ms as i64));
        args.insert(
            "x-dead-letter-exchange".into(),
            AMQPValue::LongString("".into()),
        );
        args.insert(
            "x-dead-letter-routing-key".into(),
            AMQPValue::LongString(cfg.jobs_queue().as_str().into()),
        );
        // Deleted when unused for a while; every message has expired into the work queue by then.
        args.insert(
            "x-expires".into(),
            AMQPValue::LongLongInt((ms * 3 + 60_000) as i64),
        );
        link.publish
            .queue_declare(name.as_str().into(), QueueDeclareOptions::durable(), args)
            .await?;
        self.inner
            .retry_declared
            .lock()
            .expect("retry lock")
            .insert((link.generation, ms));
        Ok(name)
    }

    /// Publishes `payload` to `queue` and waits for the broker's confirm, reconnecting
    /// and republishing on connection loss (at-least-once: duplicates are harmless).
    async fn publish_raw(
        &self,
        queue_for: impl Fn(&Link) -> futures::future::BoxFuture<'_, Result<String, lapin::Error>>,
        payload: &[u8],
        props: BasicProperties,
    ) -> Result<(), QueueError> {
        let patience = self.inner.cfg.publish_patience;
        let deadline = tokio::time::Instant::now() + patience;
        let mut delay = Duration::from_millis(100);
        loop {
            let link = self.link(patience).await?;
            let attempt = async {
                let queue = queue_for(&link).await.map_err(amqp_err)?;
                let confirm = link
                    .publish
                    .basic_publish(
                        "".into(),
                        queue.as_str().into(),
                        BasicPublishOptions {
                            mandatory: true,
                            ..Default::default()
                        },
                        payload,
                        props.clone(),
                    )
                    .await
                    .map_err(amqp_err)?
                    .await
                    .map_err(amqp_err)?;
                match confirm {
                    lapin::Confirmation::Ack(None) => Ok(()),
                    lapin::Confirmation::Ack(Some(_)) => Err(QueueError::NotConfirmed(format!(
                        "queue {queue} does not exist (message returned)"
                    ))),
                    other => Err(QueueError::NotConfirmed(format!("{other:?}"))),
                }
            }
            .await;
            match attempt {
                Ok(()) => return Ok(()),
                Err(e) if e.is_transient() && tokio::time::Instant::now() < deadline => {
                    debug!(error = %e, "publish failed; reconnecting and publishing again");
                    tokio::select! {
                        _ = self.inner.closed.cancelled() => return Err(QueueError::Closed),
                        _ = tokio::time::sleep(delay) => {}
                    }
                    delay = (delay * 2).min(Duration::from_secs(5));
                }
                Err(e) => return Err(e),
            }
        }
    }

    fn count_restart(&self) {
        self.inner
            .consumer_restarts
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// Waits for the next message of the work queue, undecoded: the consumer of a queue of
    /// other messages than census jobs (the monitor's probe jobs) shares the reconnecting
    /// consumer, the prefetch and the settlement of [`JobQueue::next`]. `None` once
    /// [`JobQueue::close`] or [`AmqpQueue::disconnect`] was called.
    pub async fn next_raw(&self) -> Result<Option<RawDelivery>, QueueError> {
        let mut delay = Duration::from_millis(100);
        loop {
            if self.inner.closed.is_cancelled() {
                return Ok(None);
            }
            if let Err(e) = self.consumer().await {
                if matches!(e, QueueError::Closed) {
                    return Ok(None);
                }
                warn!(error = %e, retry_in = ?delay, "cannot start consuming; retrying");
                tokio::select! {
                    _ = self.inner.closed.cancelled() => return Ok(None),
                    _ = tokio::time::sleep(delay) => {}
                }
                delay = (delay * 2).min(Duration::from_secs(5));
                continue;
            }
            let mut guard = self.inner.consumer.lock().await;
            let Some((_, consumer)) = guard.as_mut() else {
                continue;
            };
            let item = tokio::select! {
                _ = self.inner.closed.cancelled() => return Ok(None),
                item = consumer.next() => item,
            };
            match item {
                Some(Ok(d)) => {
                    let settle = AmqpSettle {
                        acker: Some(d.acker.clone()),
                        queue: self.clone(),
                        payload: d.data.clone(),
                    };
                    return Ok(Some(RawDelivery {
                        data: d.data,
                        redelivered: d.redelivered,
                        settle: Box::new(settle),
                    }));
                }
                Some(Err(e)) => {
                    warn!(error = %e, "consumer channel failed; consuming again");
                    self.count_restart();
                    *guard = None;
                }
                None => {
                    debug!("consumer ended; consuming again");
                    self.count_restart();
                    *guard = None;
                    drop(guard);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }

    async fn consumer(&self) -> Result<(), QueueError> {
        let mut guard = self.inner.consumer.lock().await;
        if guard
            .as_ref()
            .is_some_and(|(ch, _)| ch.status().connected())
        {
            return Ok(());
        }
        let link = self.link(Duration::from_secs(365 * 24 * 3600)).await?;
        let cfg = &self.inner.cfg;
        let ch = link.conn.create_channel().await.map_err(amqp_err)?;
        ch.basic_qos(cfg.prefetch.max(1), BasicQosOptions::default())
            .await
            .map_err(amqp_err)?;
        let consumer = ch
            .basic_consume(
                cfg.jobs_queue().into(),
                ShortString::from(format!("{}-{}", cfg.connection_name, ch.id())),
                BasicConsumeOptions::default(),
                FieldTable::default(),
            )
            .await
            .map_err(amqp_err)?;
        *guard = Some((ch, consumer));
        Ok(())
    }
}

/// One message of the work queue, undecoded ([`AmqpQueue::next_raw`]). Dropped unsettled,
/// it is given back to the queue.
pub struct RawDelivery {
    pub data: Vec<u8>,
    /// The broker delivered it before.
    pub redelivered: bool,
    settle: Box<dyn Settle>,
}

impl RawDelivery {
    pub async fn ack(self) -> Result<(), QueueError> {
        self.settle.ack().await
    }
    pub async fn requeue(self) -> Result<(), QueueError> {
        self.settle.requeue().await
    }
    /// Moves it to the dead-letter queue with `reason` in the `x-pucha-reason` header.
    pub async fn dead_letter(self, reason: &str) -> Result<(), QueueError> {
        self.settle.dead_letter(reason).await
    }
}

/// Settles one RabbitMQ delivery. Dropped unsettled (a cancelled task), it is given back.
struct AmqpSettle {
    acker: Option<lapin::Acker>,
    queue: AmqpQueue,
    payload: Vec<u8>,
}

impl Drop for AmqpSettle {
    fn drop(&mut self) {
        if let Some(acker) = self.acker.take() {
            if let Ok(rt) = tokio::runtime::Handle::try_current() {
                rt.spawn(async move {
                    let _ = acker
                        .nack(BasicNackOptions {
                            requeue: true,
                            ..Default::default()
                        })
                        .await;
                });
            }
        }
    }
}

fn settle_err(what: &str, r: Result<bool, lapin::Error>) -> Result<(), QueueError> {
    match r {
        Ok(true) => Ok(()),
        // The channel died: the broker redelivers the message; the result (if any) is stored.
        Ok(false) => Err(QueueError::Connection(format!(
            "{what}: the delivery's channel is closed; the broker redelivers it"
        ))),
        Err(e) => Err(QueueError::Connection(format!("{what}: {e}"))),
    }
}

#[async_trait]
impl Settle for AmqpSettle {
    async fn ack(mut self: Box<Self>) -> Result<(), QueueError> {
        let acker = self.acker.take().expect("unsettled");
        settle_err("ack", acker.ack(BasicAckOptions::default()).await)
    }

    async fn requeue(mut self: Box<Self>) -> Result<(), QueueError> {
        let acker = self.acker.take().expect("unsettled");
        let r = acker
            .nack(BasicNackOptions {
                requeue: true,
                ..Default::default()
            })
            .await;
        settle_err("requeue", r)
    }

    async fn dead_letter(mut self: Box<Self>, reason: &str) -> Result<(), QueueError> {
        let acker = self.acker.take().expect("unsettled");
        let mut headers = FieldTable::default();
        headers.insert(
            "x-pucha-reason".into(),
            AMQPValue::LongString(reason.into()),
        );
        let props = BasicProperties::default()
            .with_delivery_mode(2)
            .with_content_type("application/json".into())
            .with_headers(headers);
        let dead = self.queue.inner.cfg.dead_queue();
        let published = self
            .queue
            .publish_raw(
                |_| {
                    let d = dead.clone();
                    async move { Ok(d) }.boxed()
                },
                &self.payload,
                props,
            )
            .await;
        match published {
            Ok(()) => settle_err("ack", acker.ack(BasicAckOptions::default()).await),
            // Fall back on the queue's own dead-lettering (without the reason).
            Err(_) => settle_err(
                "reject",
                acker.reject(BasicRejectOptions { requeue: false }).await,
            ),
        }
    }
}

#[async_trait]
impl JobQueue for AmqpQueue {
    async fn publish(&self, job: &Job) -> Result<(), QueueError> {
        let payload = encode(job)?;
        let queue = self.inner.cfg.jobs_queue();
        self.publish_raw(
            |_| {
                let q = queue.clone();
                async move { Ok(q) }.boxed()
            },
            &payload,
            properties(job),
        )
        .await
    }

    async fn publish_many(&self, jobs: &[Job]) -> Result<(), QueueError> {
        // Pipelined: publish the batch, then wait for all confirms; on any failure
        // fall back to one-by-one publishing (duplicates are harmless).
        let link = self.link(self.inner.cfg.publish_patience).await?;
        let queue = self.inner.cfg.jobs_queue();
        let mut pending = Vec::with_capacity(jobs.len());
        let mut ok = true;
        for job in jobs {
            let sent = link
                .publish
                .basic_publish(
                    "".into(),
                    queue.as_str().into(),
                    BasicPublishOptions {
                        mandatory: true,
                        ..Default::default()
                    },
                    &encode(job)?,
                    properties(job),
                )
                .await;
            match sent {
                Ok(c) => pending.push(c),
                Err(_) => {
                    ok = false;
                    break;
                }
            }
        }
        if ok {
            for c in futures::future::join_all(pending).await {
                if !matches!(c, Ok(lapin::Confirmation::Ack(None))) {
                    ok = false;
                }
            }
        }
        if ok {
            return Ok(());
        }
        warn!("batch publish not confirmed; publishing the batch one by one");
        for job in jobs {
            self.publish(job).await?;
        }
        Ok(())
    }

    async fn publish_delayed(&self, job: &Job, delay: Duration) -> Result<(), QueueError> {
        if delay.is_zero() {
            return self.publish(job).await;
        }
        let payload = encode(job)?;
        let ms = delay.as_millis();
        self.publish_raw(
            |link| {
                let link = link.clone();
                let me = self.clone();
                async move {
                    let known = me
                        .inner
                        .retry_declared
                        .lock()
                        .expect("retry lock")
                        .contains(&(link.generation, ms));
                    if known {
                        Ok(me.inner.cfg.retry_queue(delay))
                    } else {
                        me.declare_retry_queue(&link, delay).await
                    }
                }
                .boxed()
            },
            &payload,
            properties(job),
        )
        .await
    }

    async fn next(&self) -> Result<Option<Delivery>, QueueError> {
        loop {
            let Some(raw) = self.next_raw().await? else {
                return Ok(None);
            };
            match serde_json::from_slice::<Job>(&raw.data) {
                Ok(job) => return Ok(Some(Delivery::new(job, raw.redelivered, raw.settle))),
                Err(e) => {
                    // Undecodable: no worker can ever do it; straight to the dead-letter queue.
                    warn!(error = %e, "undecodable job dead-lettered");
                    let _ = raw.dead_letter(&format!("undecodable job: {e}")).await;
                }
            }
        }
    }

    async fn depth(&self) -> Result<u64, QueueError> {
        self.message_count(&self.inner.cfg.jobs_queue()).await
    }

    async fn close(&self) {
        self.inner.closed.cancel();
        // Stop the broker sending more, and give back what was sent but not handed out.
        let mut guard = self.inner.consumer.lock().await;
        if let Some((ch, consumer)) = guard.as_mut() {
            let tag = consumer.tag();
            let _ = ch.basic_cancel(tag, BasicCancelOptions::default()).await;
            while let Some(Some(Ok(d))) = consumer.next().now_or_never() {
                let _ = d
                    .acker
                    .nack(BasicNackOptions {
                        requeue: true,
                        ..Default::default()
                    })
                    .await;
            }
        }
    }
}

/// Whether the broker refused the login (AMQP 403 ACCESS_REFUSED): wrong user or password, or
/// no access to the vhost. Retrying cannot help.
fn is_access_refused(e: &lapin::Error) -> bool {
    let text = format!("{e} {e:?}");
    text.contains("ACCESS_REFUSED")
        || text.contains("ACCESS-REFUSED")
        || text.contains("ACCESSREFUSED")
}

/// The error for refused credentials, naming the user (never the password).
fn access_refused(url: &str, url_redacted: &str) -> QueueError {
    let user = url::Url::parse(url)
        .ok()
        .map(|u| u.username().to_string())
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "guest".into());
    QueueError::Auth(format!(
        "RabbitMQ refused the credentials for user {user}: check the user and password of --amqp-url / AMQP_URL ({url_redacted})"
    ))
}
