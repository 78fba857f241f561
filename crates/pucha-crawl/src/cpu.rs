//! CPU-bound work (page analysis) off the async runtime's threads, on a bounded pool.
//!
//! Analysing a page can take a second or more (a 10 MB page, deep markup within the
//! analysis budget). Run inline on a runtime thread it held the thread: the other sites'
//! fetches, link checks and availability probes waited, probes timed out and healthy
//! sites read as unreachable. Every analysis of the process goes through [`run`]: a
//! `spawn_blocking` task behind one semaphore sized to the CPUs, so at most that many
//! pages are analysed (and their trees held in memory) at once, whatever the number of
//! sites crawled in parallel.

use std::sync::{Arc, OnceLock};

use tokio::sync::Semaphore;

/// Analyses running at once: the CPUs available to the process.
pub fn pool_size() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

fn permits() -> Arc<Semaphore> {
    static P: OnceLock<Arc<Semaphore>> = OnceLock::new();
    P.get_or_init(|| Arc::new(Semaphore::new(pool_size())))
        .clone()
}

/// The work panicked (caught by the task's join: one page must not take a checker down).
#[derive(Debug)]
pub struct Panicked;

/// Runs `work` on the bounded blocking pool; `Err(Panicked)` when it panicked. The slot is
/// held by the blocking task itself, so a caller that stops waiting (a site at its deadline)
/// never lets more than [`pool_size`] analyses run at once; a caller dropped while it waits
/// for a slot never starts the work.
pub async fn run<T, F>(work: F) -> Result<T, Panicked>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    // The semaphore is never closed.
    let permit = permits().acquire_owned().await.map_err(|_| Panicked)?;
    tokio::task::spawn_blocking(move || {
        let _slot = permit;
        work()
    })
    .await
    .map_err(|_| Panicked)
}
