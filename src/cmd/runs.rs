//! `pucha runs`: list, show or delete stored runs (a data directory or Redis).

use anyhow::{bail, Context};
use pucha_cluster::coordinator::summarize;
use pucha_cluster::open_store_with_prefix;

/// Arguments of `pucha runs`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
    /// Where runs are kept: a data directory, or a `redis://` URL for distributed runs.
    #[arg(
        long,
        global = true,
        env = "PUCHA_STORE",
        default_value = ".pucha",
        hide_env_values = true
    )]
    pub store: String,
    /// Redis key prefix (with a `redis://` store).
    #[arg(long, global = true, env = "PUCHA_PREFIX", default_value = pucha_cluster::DEFAULT_PREFIX)]
    pub prefix: String,
}

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Every stored run, oldest first.
    List,
    /// One run's record and summary.
    Show { id: String },
    /// Delete a run and all its results.
    Delete { id: String },
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let store =
        open_store_with_prefix(&args.store, &args.prefix).context("cannot open the store")?;
    match args.action {
        Action::List => {
            let runs = store.list_runs().await?;
            if runs.is_empty() {
                println!("no runs");
            }
            for r in runs {
                let done = store.result_count(&r.id).await?;
                println!(
                    "{}\tas of {}\t{:?}\t{}/{} sites\t{}",
                    r.id,
                    r.as_of,
                    r.exec,
                    done,
                    r.sites_total,
                    if r.finished_at.is_some() {
                        "finished"
                    } else {
                        "open"
                    }
                );
            }
        }
        Action::Show { id } => {
            let Some(run) = store.run(&id).await? else {
                bail!("no run {id} in the store");
            };
            let summary = summarize(store.as_ref(), &id).await?;
            println!("run:       {}", run.id);
            println!("as of:     {}", run.as_of);
            println!("mode:      {:?} ({:?})", run.mode, run.exec);
            println!("rules:     {}", run.rule_pack);
            let sites = store.sites(&id).await?;
            println!(
                "sites:     {} (digest {}; a resume must give the same list)",
                sites.len(),
                pucha_cluster::coordinator::sites_digest(&sites)
            );
            println!("started:   {}", run.started_at);
            match run.finished_at {
                Some(t) => println!("finished:  {t}"),
                None => println!("finished:  not yet"),
            }
            println!("results:   {}/{}", summary.total, run.sites_total);
            let p = progress(store.as_ref(), &id, &sites).await?;
            println!(
                "progress:  {} done, {} in flight, {} waiting; {} pages fetched and {} link targets checked by the sites done",
                p.done, p.in_flight, p.waiting, p.pages, p.link_checks
            );
            if run.finished_at.is_none() && p.done > 0 && p.done < sites.len() {
                let elapsed = (chrono::Utc::now() - run.started_at).num_seconds().max(0) as f64;
                let eta = elapsed / p.done as f64 * (sites.len() - p.done) as f64;
                println!(
                    "eta:       about {} (from the rate so far)",
                    crate::census::hms(std::time::Duration::from_secs(eta as u64))
                );
            }
            println!(
                "verdicts:  {} passed, {} failed, {} errors, {} need review; pass rate {}",
                summary.passed,
                summary.failed,
                summary.errors,
                summary.needs_review,
                summary.counts().pass_rate_text()
            );
        }
        Action::Delete { id } => {
            if store.delete_run(&id).await? {
                println!("deleted run {id}");
            } else {
                bail!("no run {id} in the store");
            }
        }
    }
    Ok(())
}

/// Where a run stands: from its stored results (pages and link checks of finished sites) and
/// its leases (sites a worker holds now).
struct Progress {
    done: usize,
    in_flight: usize,
    waiting: usize,
    pages: u64,
    link_checks: u64,
}

async fn progress(
    store: &dyn pucha_cluster::store::ResultStore,
    run_id: &str,
    sites: &[pucha_core::Site],
) -> anyhow::Result<Progress> {
    let (mut pages, mut link_checks) = (0, 0);
    let mut cursor = 0;
    loop {
        let (next, batch) = store.scan_results(run_id, cursor, 1000).await?;
        for r in &batch {
            pages += r.crawl.pages_fetched;
            link_checks += r.crawl.links_checked;
        }
        if next == 0 {
            break;
        }
        cursor = next;
    }
    let done_keys = store.done_keys(run_id).await?;
    let mut in_flight = 0;
    for s in sites.iter().filter(|s| !done_keys.contains(&s.key())) {
        if store.is_leased(run_id, &s.key()).await? {
            in_flight += 1;
        }
    }
    let done = sites
        .iter()
        .filter(|s| done_keys.contains(&s.key()))
        .count();
    Ok(Progress {
        done,
        in_flight,
        waiting: sites.len() - done - in_flight,
        pages,
        link_checks,
    })
}
