//! The cluster against the real RabbitMQ and Redis: every site gets exactly one result
//! whatever fails on the way (workers, broker connections, Redis connections, poison jobs).

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use pucha_cluster::coordinator::{publish_run, summarize};
use pucha_cluster::drill::DrillProcessor;
use pucha_cluster::embedded::run_census;
use pucha_cluster::queue::JobQueue;
use pucha_cluster::store::{MemStore, ResultStore};
use pucha_core::{CrawlConfig, Verdict};

const LIMIT: Duration = Duration::from_secs(120);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_workers_give_one_result_per_site_and_the_embedded_summary() {
    let Some(mut env) = env("three").await else {
        return;
    };
    let mut sites = sites(60);
    sites.push(site(100, "[flaky]"));
    let run = run("r-three", sites.len());
    let p = Arc::new(DrillProcessor::new());
    let mut workers = Vec::new();
    for w in ["w1", "w2", "w3"] {
        workers.push(start_worker(&mut env, w, p.clone(), worker_config(w)).await);
    }
    env.uses_delay(Duration::from_millis(200));
    let report = coordinate(&mut env, &run, &sites, LIMIT).await;
    for w in workers {
        w.stop().await;
    }
    assert_one_result_per_site(&report, &sites);
    assert!(report.run.finished_at.is_some());

    // The same sites in embedded mode give the same summary.
    let embedded = run_census(
        &run,
        &sites,
        &CrawlConfig::default(),
        pucha_cluster::admission::Admission::fixed(3),
        Arc::new(MemStore::new()),
        Arc::new(DrillProcessor::new()),
        |_| {},
    )
    .await
    .unwrap();
    assert_eq!(report.summary, embedded.summary);
    assert!(report.summary.failed > 0 && report.summary.passed > 0);
    // The summary aggregated in batches from Redis agrees too.
    assert_eq!(
        summarize(env.store.as_ref(), &run.id).await.unwrap(),
        report.summary
    );
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_worker_killed_mid_job_loses_nothing() {
    let Some(mut env) = env("kill").await else {
        return;
    };
    let sites: Vec<_> = (0..12).map(|i| site(i, "[sleep=700]")).collect();
    let run = run("r-kill", sites.len());
    let victim_p = Arc::new(DrillProcessor::new());
    let victim = start_worker(
        &mut env,
        "victim",
        victim_p.clone(),
        worker_config("victim"),
    )
    .await;
    let queue = env.queue("publisher").await;
    publish_run(
        &queue,
        env.store.as_ref(),
        &run,
        &sites,
        &CrawlConfig::default(),
    )
    .await
    .unwrap();
    // Kill the victim once it is in the middle of its jobs: abort its task (no ack, no
    // nack) and drop its connection, as a crash would.
    while victim_p.total_started() < 4 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    victim.task.abort();
    victim.queue.drop_connection().await;
    assert_eq!(env.store.result_count(&run.id).await.unwrap(), 0);

    let p = Arc::new(DrillProcessor::new());
    let survivor = start_worker(&mut env, "survivor", p.clone(), worker_config("survivor")).await;
    env.uses_delay(worker_config("x").lease_ttl);
    let report = coordinate(&mut env, &run, &sites, LIMIT).await;
    survivor.stop().await;
    assert_one_result_per_site(&report, &sites);
    // The survivor ran every site the victim had not finished, and each once.
    for s in &sites {
        assert_eq!(
            p.finished(&s.key()) + victim_p.finished(&s.key()),
            1,
            "{}",
            s.name
        );
    }
    env.cleanup().await;
}

/// Closes the broker connection named `name` from the broker side (rabbitmqctl), or
/// returns false when rabbitmqctl is not usable here.
fn broker_close(name: &str) -> bool {
    let Ok(out) = std::process::Command::new("rabbitmqctl")
        .args([
            "list_connections",
            "-q",
            "--no-table-headers",
            "pid",
            "client_properties",
        ])
        .output()
    else {
        return false;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let mut closed = false;
    for line in text.lines().filter(|l| l.contains(name)) {
        let pid = line.split_whitespace().next().unwrap_or_default();
        closed |= std::process::Command::new("rabbitmqctl")
            .args(["close_connection", pid, "test: forced close"])
            .status()
            .is_ok_and(|s| s.success());
    }
    closed
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn broker_connections_closed_mid_run_are_survived() {
    let Some(mut env) = env("broker").await else {
        return;
    };
    let sites: Vec<_> = (0..40).map(|i| site(i, "[sleep=150]")).collect();
    let run = run("r-broker", sites.len());
    let p = Arc::new(DrillProcessor::new());
    let w1 = start_worker(&mut env, "w1", p.clone(), worker_config("w1")).await;
    let w2 = start_worker(&mut env, "w2", p.clone(), worker_config("w2")).await;
    env.uses_delay(worker_config("x").lease_ttl);
    let name = w1.queue.config().connection_name.clone();
    let w1q = w1.queue.clone();
    let killer = tokio::spawn(async move {
        for _ in 0..3 {
            tokio::time::sleep(Duration::from_millis(700)).await;
            let by_broker = tokio::task::spawn_blocking({
                let name = name.clone();
                move || broker_close(&name)
            })
            .await
            .unwrap();
            if !by_broker {
                w1q.drop_connection().await;
            }
        }
    });
    let report = coordinate(&mut env, &run, &sites, LIMIT).await;
    killer.await.unwrap();
    w1.stop().await;
    w2.stop().await;
    assert_one_result_per_site(&report, &sites);
    assert_eq!(report.summary.errors, 0);
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn redis_connections_killed_mid_run_are_survived() {
    let Some(mut env) = env("redis").await else {
        return;
    };
    let sites: Vec<_> = (0..40).map(|i| site(i, "[sleep=100]")).collect();
    let run = run("r-redis", sites.len());
    let p = Arc::new(DrillProcessor::new());
    let w1 = start_worker(&mut env, "w1", p.clone(), worker_config("w1")).await;
    let w2 = start_worker(&mut env, "w2", p.clone(), worker_config("w2")).await;
    env.uses_delay(worker_config("x").lease_ttl);
    let killer = tokio::spawn(async move {
        let client = redis::Client::open(REDIS_URL).unwrap();
        let mut killed = 0u64;
        for _ in 0..4 {
            tokio::time::sleep(Duration::from_millis(400)).await;
            let mut c = client.get_multiplexed_async_connection().await.unwrap();
            // Kills every normal client, including this one's own connection.
            let n: u64 = redis::cmd("CLIENT")
                .arg(&["KILL", "TYPE", "normal", "SKIPME", "yes"][..])
                .query_async(&mut c)
                .await
                .unwrap();
            killed += n;
        }
        killed
    });
    let report = coordinate(&mut env, &run, &sites, LIMIT).await;
    let killed = killer.await.unwrap();
    w1.stop().await;
    w2.stop().await;
    assert!(killed > 0, "no Redis connection was killed");
    assert_one_result_per_site(&report, &sites);
    assert_eq!(report.summary.errors, 0);
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_poison_job_ends_in_the_dead_letter_queue_and_as_an_error_row() {
    let Some(mut env) = env("poison").await else {
        return;
    };
    let mut sites = sites(10);
    sites.push(site(50, "[poison]"));
    let run = run("r-poison", sites.len());
    let p = Arc::new(DrillProcessor::new());
    let w = start_worker(&mut env, "w1", p.clone(), worker_config("w1")).await;
    env.uses_delay(Duration::from_millis(200));
    env.uses_delay(Duration::from_millis(400));
    // An undecodable message goes straight to the dead-letter queue as well.
    let raw = env.queue("raw").await;
    raw.publish_bytes(b"not a job").await.unwrap();
    let report = coordinate(&mut env, &run, &sites, LIMIT).await;
    w.stop().await;
    assert_one_result_per_site(&report, &sites);
    let poison = report
        .sites
        .iter()
        .find(|r| r.site.name.contains("[poison]"))
        .unwrap();
    assert_eq!(poison.verdict, Verdict::Error);
    assert!(poison.error.as_deref().unwrap().contains("panicked"));
    assert_eq!(p.started(&poison.site.key()), 3);
    assert_eq!(report.summary.errors, 1);
    let dead = raw.drain_dead_letters().await.unwrap();
    assert_eq!(dead.len(), 2, "the poison job and the undecodable message");
    assert!(dead.iter().any(|(_, reason)| reason
        .as_deref()
        .is_some_and(|r| r.contains("failed 3 times"))));
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_interrupted_run_resumes_without_checking_done_sites_again() {
    let Some(mut env) = env("resume").await else {
        return;
    };
    let sites: Vec<_> = (0..30).map(|i| site(i, "[sleep=50]")).collect();
    let run = run("r-resume", sites.len());
    let p = Arc::new(DrillProcessor::new());
    let queue = env.queue("coordinator-1").await;
    publish_run(
        &queue,
        env.store.as_ref(),
        &run,
        &sites,
        &CrawlConfig::default(),
    )
    .await
    .unwrap();
    let w = start_worker(&mut env, "w1", p.clone(), worker_config("w1")).await;
    while env.store.result_count(&run.id).await.unwrap() < 8 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Interruption: the worker stops and the queued jobs are lost (e.g. the queue was purged).
    w.stop().await;
    queue.delete_queues(&[]).await.unwrap();
    let done_before = env.store.result_count(&run.id).await.unwrap();
    assert!(done_before < sites.len());

    // Same run id again: only the missing sites are published and checked.
    let w = start_worker(&mut env, "w2", p.clone(), worker_config("w2")).await;
    let report = coordinate(&mut env, &run, &sites, LIMIT).await;
    w.stop().await;
    assert_one_result_per_site(&report, &sites);
    for s in &sites {
        assert_eq!(p.finished(&s.key()), 1, "{} checked again", s.name);
    }
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_sweeper_publishes_lost_jobs_again() {
    let Some(mut env) = env("sweep").await else {
        return;
    };
    let sites = sites(10);
    let run = run("r-sweep", sites.len());
    // The run exists but half of its jobs never reach the queue (lost).
    let queue = env.queue("publisher").await;
    env.store.create_run(&run, &sites).await.unwrap();
    for s in &sites[..5] {
        queue
            .publish(&pucha_cluster::coordinator::job_for(
                &run,
                s,
                &CrawlConfig::default(),
            ))
            .await
            .unwrap();
    }
    let p = Arc::new(DrillProcessor::new());
    let w = start_worker(&mut env, "w1", p.clone(), worker_config("w1")).await;
    // The coordinator publishes nothing: only its sweeper can find the lost jobs.
    let coordinator = env.queue("coordinator").await;
    let report = drive(coordinator, &env, &run, LIMIT).await;
    w.stop().await;
    assert_one_result_per_site(&report, &sites);
    env.cleanup().await;
}
