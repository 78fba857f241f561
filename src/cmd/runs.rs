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
