//! Early warnings: what is sent, and the JSON webhook that sends it.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::availability::Level;
use crate::MonitorError;

/// One availability warning, as POSTed to the webhook (JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Warning {
    /// Always "availability" (room for other warning kinds).
    pub kind: String,
    /// "warning" below the veto level, "veto" at or past it.
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
