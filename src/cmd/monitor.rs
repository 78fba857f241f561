//! `pucha monitor`: probe every site's homepage around the clock for `veto.site_unreachable`
//! and the "homepage not updated" early warning.
//!
//! Three roles of one command:
//! - `pucha monitor --sites FILE`: one process keeps the schedule and probes;
//! - `pucha monitor --sites FILE --queue`: the scheduler of queue mode, publishing probe
//!   jobs to RabbitMQ (`{prefix}.monitor.jobs`) instead of probing;
//! - `pucha monitor --probe-only`: a probe consumer of queue mode (run as many as needed).
//!
//! Thin wiring: the site list, Redis, RabbitMQ, the crawler's probe, the webhook and the
//! metrics server are built here and handed to `pucha_monitor`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use pucha_monitor::{
    parse_duration, run_prober, AmqpProbeQueue, CancellationToken, Monitor, MonitorConfig,
    NoNotifier, Notifier, Recorder, RedisStore, Thresholds, WebhookNotifier,
};

/// Arguments of `pucha monitor`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Site list (CSV or XLSX), as for `pucha run` (not with --probe-only).
    #[arg(long, env = "PUCHA_SITES", required_unless_present = "probe_only")]
    pub sites: Option<PathBuf>,
    /// Queue mode, scheduler: keep the schedule and publish each due probe to RabbitMQ
    /// (`{prefix}.monitor.jobs`) for `pucha monitor --probe-only` consumers instead of probing.
    #[arg(
        long,
        env = "PUCHA_MONITOR_QUEUE",
        value_parser = clap::builder::FalseyValueParser::new()
    )]
    pub queue: bool,
    /// Queue mode, probe consumer: take probe jobs from RabbitMQ, probe, store the samples
    /// and send the warnings (no site list, no schedule; run as many as needed). Takes
    /// precedence over --queue.
    #[arg(long)]
    pub probe_only: bool,
    /// RabbitMQ of queue mode (the password is never logged).
    #[arg(
        long,
        env = "AMQP_URL",
        default_value = crate::cmd::worker::DEFAULT_AMQP_URL,
        hide_env_values = true
    )]
    pub amqp_url: String,
    /// Time between two probes of one site (e.g. 30m; at least 20 probes a day are required).
    #[arg(long, default_value = "30m", value_parser = parse_duration)]
    pub interval: Duration,
    /// Redis holding the samples and the schedule.
    #[arg(
        long = "redis-url",
        alias = "redis",
        env = "REDIS_URL",
        default_value = "redis://127.0.0.1:6379"
    )]
    pub redis_url: String,
    /// Prefix of every Redis key, as for the worker and coordinator (the census reads `pucha`).
    #[arg(long, env = "PUCHA_PREFIX", default_value = pucha_monitor::DEFAULT_PREFIX)]
    pub prefix: String,
    /// URL that receives each early warning as a JSON POST (empty: none).
    #[arg(long, env = "PUCHA_MONITOR_WEBHOOK")]
    pub webhook: Option<String>,
    /// Serve /metrics, /healthz and /readyz on this address (e.g. 0.0.0.0:9464).
    #[arg(long, env = "PUCHA_METRICS_ADDR")]
    pub metrics_addr: Option<SocketAddr>,
    /// How long samples are kept in Redis.
    #[arg(long, default_value = "120d", value_parser = parse_duration)]
    pub retention: Duration,
    /// Early warning when this share of the probes of the last 7 days failed.
    #[arg(long, default_value_t = 0.03)]
    pub warn_ratio: f64,
    /// The veto level of `veto.site_unreachable` (the rule: 5 %).
    #[arg(long, default_value_t = 0.05)]
    pub veto_ratio: f64,
    /// No level is assessed from fewer probes than this.
    #[arg(long, default_value_t = 20)]
    pub min_probes: u32,
    /// A site still at its level is warned again after this long.
    #[arg(long, default_value = "24h", value_parser = parse_duration)]
    pub warning_cooldown: Duration,
    /// Probes running at the same time, at most (per consumer with --probe-only).
    #[arg(long, default_value_t = 64)]
    pub max_concurrent: usize,
    /// "Homepage not updated" early warning after this many days without update (below
    /// the 14 days of veto.homepage_not_updated).
    #[arg(long, default_value_t = pucha_monitor::freshness::DEFAULT_STALE_AFTER_DAYS)]
    pub stale_after_days: u32,
    /// Only loopback addresses may be probed (tests, the demo farm).
    #[arg(long)]
    pub loopback_only: bool,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let sites = match &args.sites {
        Some(path) if !args.probe_only => pucha_core::sitelist::load(path)
            .with_context(|| format!("reading the site list {}", path.display()))?,
        _ => Vec::new(),
    };
    let cfg = MonitorConfig {
        interval: args.interval,
        retention: args.retention,
        thresholds: Thresholds {
            warn_failure_ratio: args.warn_ratio,
            veto_failure_ratio: args.veto_ratio,
            min_probes: args.min_probes,
            ..Thresholds::default()
        },
        warning_cooldown: args.warning_cooldown,
        max_concurrent_probes: args.max_concurrent,
        stale_after_days: args.stale_after_days,
        ..MonitorConfig::default()
    };
    cfg.validate()?;
    if cfg.probes_per_day() < f64::from(cfg.thresholds.min_probes_per_day) {
        tracing::warn!(
            probes_per_day = cfg.probes_per_day(),
            "The interval gives fewer than the 20 probes a day veto.site_unreachable requires"
        );
    }

    let ready = pucha_metrics::Readiness::new();
    let server = match args.metrics_addr {
        Some(addr) => Some(
            pucha_metrics::serve(addr, ready.clone())
                .await
                .with_context(|| format!("serving metrics on {addr}"))?,
        ),
        None => None,
    };

    let store = RedisStore::connect(&args.redis_url, args.prefix.clone())
        .await
        .with_context(|| {
            format!(
                "connecting to Redis at {}; is it running? (redis-server --daemonize yes)",
                args.redis_url
            )
        })?;
    let mut crawl = pucha_core::CrawlConfig::default();
    crawl.egress.loopback_only = args.loopback_only;
    let crawler = pucha_crawl::Crawler::new(&crawl).context("building the HTTP client")?;
    let notifier: Arc<dyn Notifier> = match args.webhook.as_deref().map(str::trim) {
        Some(raw) if !raw.is_empty() => {
            let url = url::Url::parse(raw).with_context(|| format!("invalid --webhook {raw:?}"))?;
            Arc::new(WebhookNotifier::new(url)?)
        }
        _ => Arc::new(NoNotifier),
    };
    let queue = if args.queue || args.probe_only {
        let prefetch = u16::try_from(args.max_concurrent).unwrap_or(u16::MAX);
        let qcfg = AmqpProbeQueue::config(&args.amqp_url, &args.prefix, prefetch);
        let redacted = pucha_cluster::store::redact_url(&args.amqp_url);
        Some(
            AmqpProbeQueue::connect(qcfg, Duration::from_secs(60))
                .await
                .with_context(|| format!("cannot use RabbitMQ at {redacted}"))?,
        )
    } else {
        None
    };

    let shutdown = CancellationToken::new();
    let stop = shutdown.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            tracing::info!("Stopping on signal");
        }
        stop.cancel();
    });
    #[cfg(unix)]
    {
        let stop = shutdown.clone();
        tokio::spawn(async move {
            use tokio::signal::unix::{signal, SignalKind};
            if let Ok(mut term) = signal(SignalKind::terminate()) {
                term.recv().await;
                tracing::info!("Stopping on SIGTERM");
                stop.cancel();
            }
        });
    }
    match queue {
        Some(queue) if args.probe_only => {
            let recorder = Recorder::new(cfg, Arc::new(store), notifier)?;
            ready.set_ready(true);
            run_prober(
                queue,
                Arc::new(recorder),
                Arc::new(crawler),
                args.max_concurrent,
                shutdown,
            )
            .await
            .context("probe consumer stopped")?;
        }
        queue => {
            let mut monitor =
                Monitor::new(cfg, sites, Arc::new(store), Arc::new(crawler), notifier)?;
            if let Some(q) = queue {
                monitor = monitor.with_queue(Arc::new(q));
            }
            ready.set_ready(true);
            monitor.run(shutdown).await.context("monitor stopped")?;
        }
    }
    if let Some(s) = server {
        s.shutdown().await.context("stopping the metrics server")?;
    }
    Ok(())
}
