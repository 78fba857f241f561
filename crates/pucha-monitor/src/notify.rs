//! Early warnings: what is sent, and the JSON webhook that sends it.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::availability::Level;
use crate::freshness::Basis;
use crate::MonitorError;

/// One early warning, as POSTed to the webhook (JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Warning {
    /// "availability" (failure share over the window) or "homepage_not_updated"
    /// (see [`crate::store::WarnKind`]).
    pub kind: String,
    /// "warning" below the veto level, "veto" at or past it (a homepage not updated for
    /// the veto's 2 weeks or more is "veto").
    pub level: Level,
    pub site_key: String,
    pub site_name: String,
    pub site_url: String,
    /// Probes and failures over the window.
    pub probes: u64,
    pub failures: u64,
    pub failure_ratio: f64,
    pub warn_failure_ratio: f64,
    pub veto_failure_ratio: f64,
    pub window_days: u32,
    /// "homepage_not_updated" only: how the update was judged ("dates" or "fingerprint").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<Basis>,
    /// "homepage_not_updated" only: the newest date the homepage shows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub newest_content: Option<chrono::NaiveDate>,
    /// "homepage_not_updated" only: since when the homepage shows what it shows now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime<Utc>>,
    /// "homepage_not_updated" only: whole days without update.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_days: Option<i64>,
    /// "homepage_not_updated" only: the warning level in days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stale_after_days: Option<u32>,
    pub at: DateTime<Utc>,
    /// A one-line Chinese summary for chat hooks.
    pub text: String,
}

/// Delivers warnings.
#[async_trait]
pub trait Notifier: Send + Sync {
    async fn notify(&self, warning: &Warning) -> Result<(), MonitorError>;
}

/// POSTs each warning as JSON to a URL; a non-2xx answer is an error.
#[derive(Debug, Clone)]
pub struct WebhookNotifier {
    client: reqwest::Client,
    url: Url,
}

impl WebhookNotifier {
    pub fn new(url: Url) -> Result<WebhookNotifier, MonitorError> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .user_agent(concat!("pucha-monitor/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| MonitorError::Config(format!("webhook client: {e}")))?;
        Ok(WebhookNotifier { client, url })
    }
}

#[async_trait]
impl Notifier for WebhookNotifier {
    async fn notify(&self, warning: &Warning) -> Result<(), MonitorError> {
        let err = |detail: String| MonitorError::Webhook {
            url: self.url.to_string(),
            detail,
        };
        let resp = self
            .client
            .post(self.url.clone())
            .json(warning)
            .send()
            .await
            .map_err(|e| err(e.to_string()))?;
        if !resp.status().is_success() {
            return Err(err(format!("answered HTTP {}", resp.status())));
        }
        Ok(())
    }
}

/// Drops every warning (no webhook configured); they still show on the dashboard.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoNotifier;

#[async_trait]
impl Notifier for NoNotifier {
    async fn notify(&self, _warning: &Warning) -> Result<(), MonitorError> {
        Ok(())
    }
}
