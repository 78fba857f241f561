//! `pucha worker`: consume jobs from RabbitMQ, crawl and check each site, store the result
//! in Redis. Stateless: run as many as you like; SIGTERM/SIGINT stops taking jobs, lets
//! in-flight ones finish within the grace period (or hands them back), then exits 0.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use pucha_cluster::queue::JobQueue;
use pucha_cluster::store::{redact_url, ResultStore};
use pucha_cluster::worker::{run_worker, JobProcessor, WorkerConfig};
use pucha_cluster::CancellationToken;
use pucha_cluster::{AmqpConfig, AmqpQueue, RedisStore};
use pucha_core::CrawlConfig;

pub const DEFAULT_AMQP_URL: &str = "amqp://guest:guest@127.0.0.1:5672/%2f";
pub const DEFAULT_REDIS_URL: &str = "redis://127.0.0.1:6379/";

/// Where the cluster's broker and store are, shared by `worker` and `coordinator`.
#[derive(Debug, Clone, clap::Args)]
pub struct ClusterOpts {
    /// RabbitMQ URL (the password is never logged).
    #[arg(long, env = "AMQP_URL", default_value = DEFAULT_AMQP_URL, hide_env_values = true)]
    pub amqp_url: String,
    /// Redis URL (the password is never logged).
    #[arg(long, env = "REDIS_URL", default_value = DEFAULT_REDIS_URL, hide_env_values = true)]
    pub redis_url: String,
    /// Name prefix of the queues (`{prefix}.jobs`) and Redis keys (`{prefix}:`).
    #[arg(long, env = "PUCHA_PREFIX", default_value = pucha_cluster::DEFAULT_PREFIX)]
    pub prefix: String,
    /// Serve /metrics, /healthz and /readyz on this address (e.g. 0.0.0.0:9100).
    #[arg(long, env = "PUCHA_METRICS_ADDR")]
    pub metrics_addr: Option<SocketAddr>,
}

impl ClusterOpts {
    pub async fn store(&self) -> anyhow::Result<RedisStore> {
        RedisStore::connect(&self.redis_url, &format!("{}:", self.prefix))
            .await
            .with_context(|| format!("cannot use Redis at {}", redact_url(&self.redis_url)))
    }

    pub async fn queue(&self, prefetch: u16) -> anyhow::Result<AmqpQueue> {
        let mut cfg = AmqpConfig::new(&self.amqp_url, &self.prefix);
        cfg.prefetch = prefetch;
        cfg.connection_name = format!("pucha-{}-{}", self.prefix, std::process::id());
        AmqpQueue::connect(cfg, Duration::from_secs(60))
            .await
            .with_context(|| format!("cannot use RabbitMQ at {}", redact_url(&self.amqp_url)))
    }

    /// Starts the metrics server when asked for.
    pub async fn serve_metrics(
        &self,
        ready: pucha_metrics::Readiness,
    ) -> anyhow::Result<Option<pucha_metrics::ServerHandle>> {
        match self.metrics_addr {
            None => Ok(None),
            Some(addr) => {
                let h = pucha_metrics::serve(addr, ready)
                    .await
                    .with_context(|| format!("cannot serve metrics on {addr}"))?;
                tracing::info!(addr = %h.local_addr(), "metrics on /metrics, /healthz, /readyz");
                Ok(Some(h))
            }
        }
    }
}

/// Arguments of `pucha worker`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub cluster: ClusterOpts,
    /// Most sites checked at once (also the broker prefetch). A polite crawl mostly waits on
    /// its host's request rate, so one worker keeps many sites in flight; --memory-budget
    /// holds back new ones when memory runs short.
    #[arg(long, env = "PUCHA_CONCURRENCY", default_value_t = pucha_cluster::admission::DEFAULT_MAX_SITES)]
    pub concurrency: usize,
    /// Resident memory above which no new site starts (e.g. 768M, 2G; 0: no limit).
    #[arg(long, env = "PUCHA_MEMORY_BUDGET", default_value = "768M", value_parser = pucha_cluster::admission::parse_size)]
    pub memory_budget: u64,
    /// On SIGTERM, how long in-flight sites may still run before they are handed back.
    #[arg(long, env = "PUCHA_GRACE_SECONDS", default_value_t = 30)]
    pub grace_seconds: u64,
    /// Lease time-to-live in seconds (renewed every third of it while a site is checked).
    #[arg(long, default_value_t = 60)]
    pub lease_seconds: u64,
    /// Attempts per site before it is recorded as verdict "error" and dead-lettered.
    #[arg(long, default_value_t = 3)]
    pub max_attempts: u32,
    /// Rule pack (TOML) overriding the built-in national values.
    #[arg(long, env = "PUCHA_RULES")]
    pub rules: Option<PathBuf>,
    /// Hours an external link's check result is shared between workers through Redis (0: off).
    #[arg(long, default_value_t = 6)]
    pub link_cache_hours: u64,
    /// Pace each host by this worker alone instead of sharing its request rate with every
    /// worker through Redis (the default: a portal that every site links gets its polite rate
    /// from the whole cluster).
    #[arg(long)]
    pub local_politeness: bool,
    /// Check nothing: derive results from the jobs (failure drills and benchmarks).
    #[arg(long, hide = true)]
    pub drill: bool,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let ready = pucha_metrics::Readiness::new().requires(&[
        pucha_metrics::Dependency::Broker,
        pucha_metrics::Dependency::Redis,
    ]);
    let _metrics = args.cluster.serve_metrics(ready.clone()).await?;
    let store = Arc::new(args.cluster.store().await?);
    let processor: Arc<dyn JobProcessor> = if args.drill {
        Arc::new(pucha_cluster::drill::DrillProcessor::new())
    } else {
        let pack = match &args.rules {
            None => pucha_rules::RulePack::builtin(),
            Some(p) => pucha_rules::RulePack::load(p)
                .with_context(|| format!("cannot load the rule pack {}", p.display()))?,
        };
        let mut crawler = pucha_crawl::Crawler::new(&CrawlConfig::default())
            .context("cannot build the HTTP client")?;
        if !args.local_politeness {
            crawler = crawler.with_host_pace(Arc::new(
                pucha_cluster::host_pace::RedisHostPace::new(store.as_ref().clone()),
            ));
        }
        if args.link_cache_hours > 0 {
            let cache = pucha_cluster::link_cache::RedisLinkCache::new(
                store.as_ref().clone(),
                Duration::from_secs(args.link_cache_hours * 3600),
            );
            crawler = crawler.with_link_cache(Arc::new(cache));
        }
        let probes = pucha_monitor::RedisStore::connect(
            &args.cluster.redis_url,
            args.cluster.prefix.clone(),
        )
        .await
        .with_context(|| {
            format!(
                "cannot read availability samples from Redis at {}",
                redact_url(&args.cluster.redis_url)
            )
        })?;
        Arc::new(
            pucha_cluster::checker::SiteChecker::new(crawler, Arc::new(pack))
                .with_probe_source(Arc::new(MonitorSamples(probes))),
        )
    };
    let prefetch = u16::try_from(args.concurrency.max(1)).unwrap_or(u16::MAX);
    let queue = args.cluster.queue(prefetch).await?;
    // An idle worker talks to neither service: the watch keeps /readyz honest.
    let watch = CancellationToken::new();
    tokio::spawn(pucha_cluster::health::watch_dependencies(
        Some(store.as_ref().clone()),
        Some(queue.clone()),
        Duration::from_secs(5),
        watch.clone(),
    ));
    let _stop_watch = watch.drop_guard();
    ready.set_ready(true);

    let shutdown = CancellationToken::new();
    tokio::spawn(stop_on_signal(shutdown.clone()));
    let cfg = WorkerConfig {
        concurrency: args.concurrency.max(1),
        memory_budget: args.memory_budget,
        max_attempts: args.max_attempts.max(1),
        lease_ttl: Duration::from_secs(args.lease_seconds.max(1)),
        grace: Duration::from_secs(args.grace_seconds),
        holder: format!(
            "{}-{}",
            std::env::var("HOSTNAME").unwrap_or_else(|_| "worker".into()),
            std::process::id()
        ),
        ..WorkerConfig::default()
    };
    tracing::info!(concurrency = cfg.concurrency, memory_budget_mib = cfg.memory_budget / (1024 * 1024), holder = %cfg.holder, prefix = %args.cluster.prefix, "worker started");
    let closer = {
        let (queue, shutdown, ready) = (queue.clone(), shutdown.clone(), ready.clone());
        tokio::spawn(async move {
            shutdown.cancelled().await;
            ready.set_ready(false);
            queue.close().await;
        })
    };
    run_worker(
        Arc::new(queue.clone()) as Arc<dyn JobQueue>,
        store as Arc<dyn ResultStore>,
        processor,
        cfg,
        shutdown.clone(),
    )
    .await
    .context("the worker loop failed")?;
    shutdown.cancel();
    let _ = closer.await;
    queue.disconnect().await;
    tracing::info!("worker stopped");
    Ok(())
}

/// Cancels `token` on SIGTERM or SIGINT.
pub async fn stop_on_signal(token: CancellationToken) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = match signal(SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                token.cancel();
                return;
            }
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
    tracing::info!("stop requested: taking no more jobs");
    token.cancel();
}

/// The samples `pucha monitor` collected before a job's as-of date: the availability probes
/// of `veto.site_unreachable` (7 days) and the homepage snapshots of
/// `veto.homepage_not_updated` (14 days and the ones before). With too few of them the rules
/// fall back to the probes taken during the crawl and to the dates on the pages.
struct MonitorSamples(pucha_monitor::RedisStore);

#[async_trait::async_trait]
impl pucha_cluster::checker::ProbeSource for MonitorSamples {
    async fn samples(&self, job: &pucha_core::Job) -> Result<Vec<pucha_core::ProbeSample>, String> {
        use pucha_monitor::SampleStore;
        let (from, to) = pucha_monitor::census_samples_window(job.as_of);
        self.0
            .load(&job.site.key(), from, to)
            .await
            .map_err(|e| e.to_string())
    }
}
