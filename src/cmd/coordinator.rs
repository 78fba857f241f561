//! `pucha coordinator`: start (or resume) a distributed run: publish one job per site
//! without a result to RabbitMQ, track progress in Redis, re-publish lost jobs, and
//! write the report when every site has a result.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use pucha_cluster::coordinator::{
    coordinator_holder, drive_run, publish_run, replace_if_changed, CoordinatorConfig, RunError,
    RunLease,
};
use pucha_cluster::queue::JobQueue;
use pucha_cluster::store::ResultStore;
use pucha_cluster::CancellationToken;
use pucha_core::ExecMode;
use tracing::Instrument;

use crate::census::{history_before, print_summary, CensusOpts};
use crate::cmd::worker::{stop_on_signal, ClusterOpts};

/// Arguments of `pucha coordinator`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Site list (CSV or XLSX, as for `pucha run`).
    #[arg(long)]
    pub sites: PathBuf,
    /// Directory for report.json, notice.md and the other outputs.
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
    #[command(flatten)]
    pub cluster: ClusterOpts,
    /// Seconds between two sweeps for lost jobs (keep it above the workers' lease TTL).
    #[arg(long, default_value_t = 90)]
    pub sweep_seconds: u64,
    /// Run configuration (`[notice]`, `[crawl]`); default ./pucha.toml when it exists.
    #[arg(long)]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub census: CensusOpts,
}

/// How long a coordinator's lease on its run lasts without renewal (renewed every 10 s):
/// a second coordinator of a run whose coordinator died waits at most this long.
const RUN_LEASE_TTL: Duration = Duration::from_secs(30);

pub async fn run(mut args: Args) -> anyhow::Result<()> {
    crate::config::Config::resolve(args.config.as_deref())?.apply_census(&mut args.census);
    let ready = pucha_metrics::Readiness::new().requires(&[
        pucha_metrics::Dependency::Broker,
        pucha_metrics::Dependency::Redis,
    ]);
    let _metrics = args.cluster.serve_metrics(ready.clone()).await?;
    let sites = pucha_core::sitelist::load(&args.sites)
        .with_context(|| format!("cannot use the site list {}", args.sites.display()))?;
    let (_pack, spec) = args.census.rule_pack()?;
    let crawl = args.census.crawl_config();
    args.census.export_deadline();
    let redis = args.cluster.store().await?;
    let store: Arc<dyn ResultStore> = Arc::new(redis.clone());
    let queue = args.cluster.queue(1).await?;
    let watch = CancellationToken::new();
    tokio::spawn(pucha_cluster::health::watch_dependencies(
        Some(redis),
        Some(queue.clone()),
        Duration::from_secs(5),
        watch.clone(),
    ));
    let _stop_watch = watch.drop_guard();
    ready.set_ready(true);

    let mut run = args
        .census
        .new_run(ExecMode::Distributed, &spec, sites.len());
    // One coordinator per run: a second one is refused while this one holds the lease.
    let lease =
        RunLease::take(store.clone(), &run.id, &coordinator_holder(), RUN_LEASE_TTL).await?;
    if let Some(stored) = store.run(&run.id).await? {
        if args.census.as_of.is_none() {
            run.as_of = stored.as_of; // resuming without --as-of: the run's own
        }
        if args.census.replace {
            replace_if_changed(store.as_ref(), &run, &sites).await?;
        }
    }
    match store.run(&run.id).await? {
        Some(stored) => {
            tracing::info!(run = %run.id, "resuming the run: sites with a result are not checked again");
            run.started_at = stored.started_at;
        }
        // Asked for by id but not there: new, or lost with the store's data (say so).
        None if args.census.run_id.is_some() => tracing::info!(
            run = %run.id,
            "run {} is not in the store: creating it (if it was started before, the store lost it and every site is checked again)",
            run.id
        ),
        None => {}
    }
    let span = tracing::info_span!("run", run = %run.id);
    let published = match publish_run(&queue, store.as_ref(), &run, &sites, &crawl)
        .instrument(span.clone())
        .await
    {
        Ok(n) => n,
        Err(e @ RunError::InputsChanged { .. }) => return Err(e.into()),
        Err(e) => return Err(anyhow::Error::new(e).context("cannot publish the run's jobs")),
    };
    // The record the jobs were published from (the stored one when resuming).
    let run = store.run(&run.id).await?.unwrap_or(run);
    tracing::info!(published, sites = sites.len(), as_of = %run.as_of, "jobs published");

    let cancel = CancellationToken::new();
    tokio::spawn(stop_on_signal(cancel.clone()));
    let cfg = CoordinatorConfig {
        sweep_every: Duration::from_secs(args.sweep_seconds.max(1)),
        ..CoordinatorConfig::default()
    };
    let report = drive_run(
        Arc::new(queue.clone()) as Arc<dyn JobQueue>,
        store.clone(),
        &run,
        &crawl,
        &cfg,
        cancel,
        |_| {},
    )
    .instrument(span)
    .await;
    queue.disconnect().await;
    // Stopped or finished, the run is free for the next coordinator at once.
    lease.release().await;
    let report = report.context("the run did not finish")?;

    let history = history_before(store.as_ref(), &report).await;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let formats = pucha_report::Format::ALL;
    pucha_report::write_formats(&report, &args.out, &history, &args.census.notice, &formats)
        .with_context(|| format!("cannot write the report into {}", args.out.display()))?;
    print_summary(&report, &args.out);
    Ok(())
}
