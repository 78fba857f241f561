//! A run's inputs are fixed when it is created, one coordinator holds a run at a time, and
//! only the run's own sites get results: for both store kinds (FileStore and Redis).

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use pucha_cluster::coordinator::{publish_run, replace_if_changed, RunError, RunLease};
use pucha_cluster::queue::{JobQueue, MemQueue};
use pucha_cluster::store::ResultStore;
use pucha_cluster::{FileStore, StoreError};
use pucha_core::{CrawlConfig, ScoringMode, SiteResult};

fn date(s: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

async fn inputs_are_fixed_when_a_run_is_created(store: Arc<dyn ResultStore>) {
    let crawl = CrawlConfig::default();
    let queue = MemQueue::new();
    let twelve = sites(12);
    let mut created = run("r-inputs", twelve.len());
    created.as_of = date("2025-01-06");
    assert_eq!(
        publish_run(&queue, store.as_ref(), &created, &twelve, &crawl)
            .await
            .unwrap(),
        12
    );
    store
        .put_result(&created.id, &SiteResult::error(twelve[0].clone(), "x", 1))
        .await
        .unwrap();

    // The same inputs resume: only the sites without a result are published.
    let mut again = created.clone();
    again.started_at = chrono::Utc::now();
    assert_eq!(
        publish_run(&queue, store.as_ref(), &again, &twelve, &crawl)
            .await
            .unwrap(),
        11
    );
    // The same sites in another order are the same list.
    let mut shuffled = twelve.clone();
    shuffled.reverse();
    publish_run(&queue, store.as_ref(), &again, &shuffled, &crawl)
        .await
        .unwrap();

    // Another as-of, list or mode is refused with the difference shown.
    let mut other = created.clone();
    other.as_of = date("2025-03-01");
    let e = publish_run(&queue, store.as_ref(), &other, &twelve, &crawl)
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "run r-inputs was created with as-of 2025-01-06, this start asks for 2025-03-01; start a new run or pass --replace"
    );
    let three: Vec<_> = sites(2).into_iter().chain([site(50, "new")]).collect();
    other.mode = ScoringMode::FullScore;
    let e = publish_run(&queue, store.as_ref(), &other, &three, &crawl)
        .await
        .unwrap_err();
    let msg = e.to_string();
    assert!(
        matches!(e, RunError::InputsChanged { ref changes, .. } if changes.len() == 3),
        "{msg}"
    );
    assert!(
        msg.contains("with mode veto_only, this start asks for full_score"),
        "{msg}"
    );
    assert!(
        msg.contains("with site list of 12 sites") && msg.contains("this start asks for 3 sites"),
        "{msg}"
    );
    assert!(
        msg.contains("1 not in the run, 10 of the run left out"),
        "{msg}"
    );
    // Nothing of the refused start reached the store or the queue.
    assert_eq!(store.sites(&created.id).await.unwrap().len(), 12);
    assert_eq!(
        store.run(&created.id).await.unwrap().unwrap().as_of,
        date("2025-01-06")
    );
    let depth = queue.depth().await.unwrap();
    assert_eq!(depth, 12 + 11 + 11);

    // A result for a site that is not in the run is rejected.
    let stray = SiteResult::error(site(50, "new"), "x", 1);
    let e = store.put_result(&created.id, &stray).await.unwrap_err();
    assert!(matches!(e, StoreError::NotInRun { .. }), "{e}");
    assert_eq!(store.result_count(&created.id).await.unwrap(), 1);

    // --replace: the old run and its results go, the new inputs make the run.
    let replaced = replace_if_changed(store.as_ref(), &other, &three)
        .await
        .unwrap();
    assert_eq!(replaced.len(), 3);
    assert_eq!(
        publish_run(&queue, store.as_ref(), &other, &three, &crawl)
            .await
            .unwrap(),
        3
    );
    let stored = store.run(&created.id).await.unwrap().unwrap();
    assert_eq!(
        (stored.as_of, stored.mode),
        (date("2025-03-01"), ScoringMode::FullScore)
    );
    assert_eq!(store.sites(&created.id).await.unwrap(), three);
    assert_eq!(store.result_count(&created.id).await.unwrap(), 0);
    // Unchanged inputs: --replace keeps the run.
    assert!(replace_if_changed(store.as_ref(), &other, &three)
        .await
        .unwrap()
        .is_empty());
    store.delete_run(&created.id).await.unwrap();
}

async fn one_coordinator_per_run(store: Arc<dyn ResultStore>) {
    let ttl = Duration::from_secs(30);
    let first = RunLease::take(store.clone(), "r-lease", "host-a-1", ttl)
        .await
        .unwrap();
    let e = RunLease::take(store.clone(), "r-lease", "host-b-2", ttl)
        .await
        .err()
        .expect("a second coordinator is refused");
    let msg = e.to_string();
    assert!(
        msg.starts_with("run r-lease is already coordinated by host-a-1")
            && msg.contains("one coordinator per run"),
        "{msg}"
    );
    // The holder itself may take it again (a renewal).
    let again = RunLease::take(store.clone(), "r-lease", "host-a-1", ttl)
        .await
        .unwrap();
    drop(again);
    first.release().await;
    let second = RunLease::take(store.clone(), "r-lease", "host-b-2", ttl)
        .await
        .unwrap();
    second.release().await;
}

#[tokio::test]
async fn file_store_fixes_inputs_and_allows_one_coordinator() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(FileStore::new(dir.path()));
    inputs_are_fixed_when_a_run_is_created(store.clone()).await;
    one_coordinator_per_run(store.clone()).await;

    // A lock left by a process that died is stale: the next coordinator takes the run.
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead_pid = child.id();
    child.wait().unwrap();
    let host = std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .ok()
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_else(|| "localhost".into());
    std::fs::create_dir_all(dir.path().join("locks")).unwrap();
    std::fs::write(
        dir.path().join("locks/r-stale.lock"),
        serde_json::json!({"holder": "crashed-1", "pid": dead_pid, "host": host}).to_string(),
    )
    .unwrap();
    let lease = RunLease::take(store.clone(), "r-stale", "next-2", Duration::from_secs(30))
        .await
        .expect("a stale lock is taken over");
    let lock = std::fs::read_to_string(dir.path().join("locks/r-stale.lock")).unwrap();
    assert!(
        lock.contains("next-2") && lock.contains(&std::process::id().to_string()),
        "{lock}"
    );
    lease.release().await;
    assert!(!dir.path().join("locks/r-stale.lock").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_store_fixes_inputs_and_allows_one_coordinator() {
    let Some(env) = env("inputs").await else {
        return;
    };
    inputs_are_fixed_when_a_run_is_created(env.store.clone()).await;
    one_coordinator_per_run(env.store.clone()).await;
    // The lease is a key with a TTL: a coordinator that died frees the run by itself.
    let ttl = Duration::from_millis(300);
    assert_eq!(
        env.store.lease_run("r-ttl", "dead-1", ttl).await.unwrap(),
        None
    );
    assert_eq!(
        env.store.lease_run("r-ttl", "next-2", ttl).await.unwrap(),
        Some("dead-1".to_string())
    );
    tokio::time::sleep(Duration::from_millis(500)).await; // dead-1 never renews
    RunLease::take(env.store.clone(), "r-ttl", "next-2", Duration::from_secs(5))
        .await
        .expect("an expired lease is taken over")
        .release()
        .await;
    env.cleanup().await;
}
