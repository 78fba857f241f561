//! The distributed mode over the real RabbitMQ and Redis, with the real crawler and rules, on
//! the demo farm: a coordinator and three workers give the same report as the embedded mode.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::sync::Arc;
use std::time::Duration;

use pucha::census::{run_embedded, site_checker, CensusOpts};
use pucha_cluster::coordinator::{drive_run, publish_run, CoordinatorConfig};
use pucha_cluster::queue::JobQueue;
use pucha_cluster::store::{MemStore, ResultStore};
use pucha_cluster::worker::{run_worker, JobProcessor, WorkerConfig};
use pucha_cluster::{AmqpConfig, AmqpQueue, CancellationToken, RedisStore};
use pucha_core::{ExecMode, Report};
use pucha_farm::{Farm, FarmServer, FarmSpec};

const AMQP_URL: &str = "amqp://guest:guest@127.0.0.1:5672/%2f";
const REDIS_URL: &str = "redis://127.0.0.1:6379/";
/// Availability counts depend on when a flaky homepage was probed; their vetoes are compared, not their counts.
const TIMING_DEPENDENT: &[&str] = &["veto.site_unreachable", "ded.homepage_availability"];

/// Per site: verdict, vetoes and finding counts by rule.
type Shape = BTreeMap<String, (String, Vec<String>, BTreeMap<String, u32>)>;

fn shape(report: &Report) -> Shape {
    report
        .sites
        .iter()
        .map(|r| {
            let findings = r
                .findings
                .iter()
                .filter(|f| !TIMING_DEPENDENT.contains(&f.rule.as_str()))
                .map(|f| (f.rule.clone(), f.count))
                .collect();
            let mut vetoes = r.vetoes.clone();
            vetoes.sort();
            (r.site.key(), (format!("{:?}", r.verdict), vetoes, findings))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn coordinator_and_three_workers_match_the_embedded_census() {
    let prefix = format!("pucha-test-demo-{}", std::process::id());
    let store = RedisStore::connect(REDIS_URL, &format!("{prefix}:")).await;
    let probe =
        AmqpQueue::connect(AmqpConfig::new(AMQP_URL, &prefix), Duration::from_secs(3)).await;
    let (store, probe) = match (store, probe) {
        (Ok(s), Ok(q)) => (Arc::new(s), q),
        (s, q) => {
            if std::env::var("PUCHA_SKIP_SERVICES").as_deref() == Ok("1") {
                eprintln!("skipped: RabbitMQ or Redis is not running (PUCHA_SKIP_SERVICES=1)");
                return;
            }
            panic!(
                "this test needs RabbitMQ on 127.0.0.1:5672 (start it with `rabbitmq-server -detached`) \
                 and Redis on 127.0.0.1:6379 (start it with `redis-server --daemonize yes --bind 127.0.0.1 \
                 --port 6379 --save \"\" --appendonly no`), or PUCHA_SKIP_SERVICES=1 to skip it\n\
                 redis: {:?}\nrabbitmq: {:?}",
                s.err(),
                q.err()
            )
        }
    };

    let spec = FarmSpec::demo();
    let server = FarmServer::start(Farm::generate(&spec), Ipv4Addr::new(127, 0, 43, 0))
        .await
        .expect("serve the demo farm");
    let sites = server.sites();
    let opts = CensusOpts::own_loopback_farm(spec.as_of);
    let crawl = opts.crawl_config();

    let out = tempfile::tempdir().unwrap();
    let embedded = run_embedded(
        &sites,
        &opts,
        &crawl,
        pucha_cluster::admission::Admission::default(),
        Arc::new(MemStore::new()),
        out.path(),
    )
    .await
    .expect("embedded census");

    // Distributed: three workers, each with its own broker connection, and a coordinator.
    let (pack, spec) = opts.rule_pack().unwrap();
    let mut run = opts.new_run(ExecMode::Distributed, &spec, sites.len());
    run.id = format!("{prefix}-run");
    let stop = CancellationToken::new();
    let mut workers = Vec::new();
    for w in 0..3 {
        let mut cfg = AmqpConfig::new(AMQP_URL, &prefix);
        cfg.connection_name = format!("{prefix}-w{w}");
        cfg.prefetch = 3;
        let q = AmqpQueue::connect(cfg, Duration::from_secs(10))
            .await
            .unwrap();
        let checker: Arc<dyn JobProcessor> = Arc::new(site_checker(&crawl, pack.clone()).unwrap());
        let wcfg = WorkerConfig {
            concurrency: 3,
            holder: format!("w{w}"),
            ..WorkerConfig::default()
        };
        let (s, stop) = (store.clone() as Arc<dyn ResultStore>, stop.clone());
        workers.push(tokio::spawn(async move {
            run_worker(Arc::new(q.clone()), s, checker, wcfg, stop)
                .await
                .unwrap();
            q.disconnect().await;
        }));
    }
    let coordinator =
        AmqpQueue::connect(AmqpConfig::new(AMQP_URL, &prefix), Duration::from_secs(10))
            .await
            .unwrap();
    publish_run(&coordinator, store.as_ref(), &run, &sites, &crawl)
        .await
        .unwrap();
    let cfg = CoordinatorConfig {
        poll: Duration::from_millis(200),
        sweep_every: Duration::from_secs(30),
        log_every: Duration::from_secs(5),
    };
    let distributed = tokio::time::timeout(
        Duration::from_secs(600),
        drive_run(
            Arc::new(coordinator.clone()) as Arc<dyn JobQueue>,
            store.clone() as Arc<dyn ResultStore>,
            &run,
            &crawl,
            &cfg,
            CancellationToken::new(),
            |_| {},
        ),
    )
    .await
    .expect("the distributed run finishes")
    .expect("distributed run");
    stop.cancel();
    for w in workers {
        let _ = w.await;
    }
    server.shutdown().await;

    assert_eq!(
        distributed.sites.len(),
        sites.len(),
        "exactly one result per site"
    );
    assert_eq!(distributed.summary, embedded.summary);
    assert_eq!(shape(&distributed), shape(&embedded));

    let _ = coordinator.delete_queues(&[]).await;
    coordinator.disconnect().await;
    probe.disconnect().await;
    store.purge_prefix().await.unwrap();
}
