//! RabbitMQ's consumer timeout: a job that runs longer than the broker lets a delivery stay
//! unacked gets its channel closed and is redelivered. The lease makes the redelivered copy
//! wait instead of running the site a second time; the job is neither lost, nor stored
//! twice, nor redelivered forever.
//!
//! Its own test binary: on brokers older than 3.12 (no per-queue `x-consumer-timeout`) it
//! lowers the broker-wide `consumer_timeout` for a moment and restores it afterwards.

mod common;

use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use common::*;
use pucha_cluster::drill::DrillProcessor;
use pucha_cluster::queue::JobQueue;
use pucha_cluster::worker::run_worker;
use tokio_util::sync::CancellationToken;

const TIMEOUT: Duration = Duration::from_millis(1000);

fn rabbitmqctl(args: &[&str]) -> Option<String> {
    let out = Command::new("rabbitmqctl").args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Whether the broker honours the `x-consumer-timeout` queue argument (3.12+).
fn broker_has_queue_consumer_timeout() -> bool {
    let Some(v) = rabbitmqctl(&["version"]) else {
        return true;
    };
    let mut parts = v.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    (major, minor) >= (3, 12)
}

/// Lowers the broker-wide consumer timeout (and its check interval) until dropped.
struct BrokerTimeout {
    old_timeout: String,
    old_tick: String,
}

impl BrokerTimeout {
    fn set(timeout: Duration) -> BrokerTimeout {
        let get = |k: &str| {
            rabbitmqctl(&["eval", &format!("application:get_env(rabbit, {k}).")])
                .and_then(|s| {
                    s.strip_prefix("{ok,")
                        .and_then(|s| s.strip_suffix('}'))
                        .map(str::to_string)
                })
                .unwrap_or_else(|| "undefined".into())
        };
        let guard = BrokerTimeout {
            old_timeout: get("consumer_timeout"),
            old_tick: get("channel_tick_interval"),
        };
        let ms = timeout.as_millis();
        rabbitmqctl(&[
            "eval",
            &format!(
                "application:set_env(rabbit, consumer_timeout, {ms}), \
                 application:set_env(rabbit, channel_tick_interval, {}).",
                (ms / 2).max(100)
            ),
        ])
        .expect("rabbitmqctl eval (the test lowers the broker's consumer_timeout)");
        guard
    }
}

impl Drop for BrokerTimeout {
    fn drop(&mut self) {
        for (k, v) in [
            ("consumer_timeout", &self.old_timeout),
            ("channel_tick_interval", &self.old_tick),
        ] {
            let expr = if v == "undefined" {
                format!("application:unset_env(rabbit, {k}).")
            } else {
                format!("application:set_env(rabbit, {k}, {v}).")
            };
            rabbitmqctl(&["eval", &expr]);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_job_longer_than_the_consumer_timeout_is_stored_once_and_not_looped() {
    let Some(mut env) = env("ctimeout").await else {
        return;
    };
    let _broker = (!broker_has_queue_consumer_timeout()).then(|| BrokerTimeout::set(TIMEOUT));

    let mut sites = vec![site(0, "[sleep=6000]")];
    sites.extend((1..6).map(|i| site(i, "[sleep=100]")));
    let run = run("r-ctimeout", sites.len());
    let p = Arc::new(DrillProcessor::new());
    let mut workers = Vec::new();
    for name in ["w1", "w2"] {
        let mut cfg = env.amqp_config(name);
        cfg.consumer_timeout = Some(TIMEOUT);
        cfg.prefetch = 2;
        let queue = pucha_cluster::AmqpQueue::connect(cfg, Duration::from_secs(10))
            .await
            .unwrap();
        let stop = CancellationToken::new();
        let mut wcfg = worker_config(name);
        wcfg.concurrency = 2;
        let task = tokio::spawn(run_worker(
            Arc::new(queue.clone()) as Arc<dyn JobQueue>,
            env.store.clone(),
            p.clone(),
            wcfg,
            stop.clone(),
        ));
        workers.push((queue, stop, task));
    }
    env.uses_delay(worker_config("x").lease_ttl);
    let report = coordinate(&mut env, &run, &sites, Duration::from_secs(120)).await;
    // Nothing keeps circling: with the workers still running, the work queue and the
    // retry queue drain (the parked copies of the long job find its result and are dropped).
    let probe = env.queue("probe").await;
    let retry = env
        .amqp_config("x")
        .retry_queue(worker_config("x").lease_ttl);
    let mut pending = u64::MAX;
    for _ in 0..100 {
        let main = probe.depth().await.unwrap();
        let parked = probe.message_count(&retry).await.unwrap_or(0);
        pending = main + parked;
        if pending == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut channel_losses = 0;
    for (queue, stop, task) in workers {
        stop.cancel();
        queue.close().await;
        task.await.unwrap().unwrap();
        channel_losses += queue.consumer_restarts();
        queue.disconnect().await;
    }
    assert!(
        channel_losses > 0,
        "the broker never enforced the consumer timeout: the test proved nothing"
    );
    assert_eq!(pending, 0, "jobs still circling after the run");
    assert_one_result_per_site(&report, &sites);
    assert_eq!(report.summary.errors, 0);
    let slow = sites[0].key();
    assert_eq!(p.started(&slow), 1, "the long job ran twice");
    assert_eq!(p.finished(&slow), 1);
    assert_eq!(probe.dead_letter_count().await.unwrap(), 0);
    env.cleanup().await;
}
