//! Scale benchmark of the distributed mode's coordinator side (not a test).
//!
//! Publishes N jobs (default 15,000) to RabbitMQ with publisher confirms, writes N results
//! to Redis as workers would, and aggregates them into the run summary with HSCAN batches.
//! Prints the time of each phase and the process's peak RSS.
//!
//! ```sh
//! cargo run --release -p pucha-cluster --example scale -- 15000
//! ```
//! Needs RabbitMQ and Redis on loopback; uses its own queue and key prefix and removes them.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use pucha_cluster::coordinator::{publish_run, summarize};
use pucha_cluster::drill::drill_result;
use pucha_cluster::queue::JobQueue;
use pucha_cluster::store::ResultStore;
use pucha_cluster::{AmqpConfig, AmqpQueue, RedisStore};
use pucha_core::{Category, CrawlConfig, ExecMode, Run, Site};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(15_000);
    let prefix = format!("pucha-scale-{}", std::process::id());
    let amqp = std::env::var("AMQP_URL")
        .unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".into());
    let redis = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/".into());
    let queue =
        AmqpQueue::connect(AmqpConfig::new(&amqp, &prefix), Duration::from_secs(10)).await?;
    let store = Arc::new(RedisStore::connect(&redis, &format!("{prefix}:")).await?);
    let rss_start = pucha_crawl::alloc::peak_rss_kb();

    let sites: Vec<Site> = (0..n)
        .map(|i| Site {
            name: format!("site {i}{}", if i % 9 == 0 { " [fail]" } else { "" }),
            url: format!("http://site{i}.gov.example/").parse().unwrap(),
            category: Category::ALL[i % Category::ALL.len()],
            site_code: None,
            sponsor: None,
        })
        .collect();
    let run = Run {
        id: "scale".into(),
        as_of: chrono::NaiveDate::from_ymd_opt(2024, 10, 8).unwrap(),
        mode: Default::default(),
        exec: ExecMode::Distributed,
        rule_pack: "bench".into(),
        started_at: chrono::Utc::now(),
        finished_at: None,
        sites_total: n,
        pack: None,
    };
    let crawl = CrawlConfig::default();

    let t = Instant::now();
    let published = publish_run(&queue, store.as_ref(), &run, &sites, &crawl).await?;
    let publish_time = t.elapsed();
    let depth = queue.depth().await?;

    // Results as workers would write them (64 concurrent writers).
    let t = Instant::now();
    futures::stream::iter(sites.iter())
        .for_each_concurrent(64, |site| {
            let (store, run, crawl) = (store.clone(), &run, &crawl);
            async move {
                let job = pucha_cluster::coordinator::job_for(run, site, crawl);
                store
                    .put_result(&job.run_id, &drill_result(&job))
                    .await
                    .expect("store result");
            }
        })
        .await;
    let store_time = t.elapsed();

    let rss_before_summary = pucha_crawl::alloc::peak_rss_kb();
    let t = Instant::now();
    let summary = summarize(store.as_ref(), &run.id).await?;
    let summary_time = t.elapsed();
    let rss_end = pucha_crawl::alloc::peak_rss_kb();

    println!("sites: {n}");
    println!(
        "publish (create run + {published} confirmed jobs): {:.2} s ({:.0} jobs/s); queue depth after: {depth}",
        publish_time.as_secs_f64(),
        published as f64 / publish_time.as_secs_f64()
    );
    println!(
        "store {n} results (64 writers): {:.2} s ({:.0} results/s)",
        store_time.as_secs_f64(),
        n as f64 / store_time.as_secs_f64()
    );
    println!(
        "summary over HSCAN batches: {:.2} s; total {} passed {} failed {} pass rate {:?}",
        summary_time.as_secs_f64(),
        summary.total,
        summary.passed,
        summary.failed,
        summary.pass_rate
    );
    println!(
        "peak RSS: {rss_start} KiB at start, {rss_before_summary} KiB after publishing and storing, {rss_end} KiB at the end"
    );
    assert_eq!(summary.total, n);

    queue.delete_queues(&[]).await?;
    queue.disconnect().await;
    store.purge_prefix().await?;
    Ok(())
}
