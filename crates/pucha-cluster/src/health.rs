//! Keeps `pucha_dependency_up` current, so that `/readyz` (which answers 503 while a
//! required service is down) reflects the services even while the process is idle: a
//! worker without jobs talks to neither RabbitMQ nor Redis, and would otherwise keep the
//! last value it saw.

use std::time::Duration;

use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use crate::{AmqpQueue, RedisStore};

/// Checks Redis (one `PING`) and the broker connection every `every` until `cancel`,
/// setting `pucha_dependency_up{dependency}`; logs when a service goes down or comes back.
pub async fn watch_dependencies(
    store: Option<RedisStore>,
    queue: Option<AmqpQueue>,
    every: Duration,
    cancel: CancellationToken,
) {
    let timeout = every.clamp(Duration::from_millis(200), Duration::from_secs(3));
    let (mut redis_was, mut broker_was) = (true, true);
    loop {
        if let Some(s) = &store {
            let up = s.ping_once(timeout).await;
            match (&up, redis_was) {
                (Err(e), true) => warn!(error = %e, "Redis does not answer: not ready"),
                (Ok(()), false) => info!("Redis answers again: ready"),
                _ => {}
            }
            redis_was = up.is_ok();
        }
        if let Some(q) = &queue {
            let up = q.check_connection(timeout).await;
            match (&up, broker_was) {
                (Err(e), true) => warn!(error = %e, "RabbitMQ is not reachable: not ready"),
                (Ok(()), false) => info!("RabbitMQ is reachable again: ready"),
                _ => {}
            }
            broker_was = up.is_ok();
        }
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tokio::time::sleep(every) => {}
        }
    }
}
