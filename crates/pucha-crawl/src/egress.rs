//! The egress policy: which addresses the crawler may send a request to.
//!
//! Two gates enforce it. Before any request (and before any DNS lookup) [`EgressRules::check_url`]
//! decides on the URL alone: with `loopback_only`, a host name other than `localhost` is refused
//! without being resolved. After DNS, the client's resolver ([`GuardedResolver`]) drops addresses
//! the policy forbids (private, loopback, link-local, cloud metadata), so a public-looking name
//! cannot smuggle a request to an internal address (nor can a redirect, which is re-checked per hop).
//! The hosts of the site list itself are always allowed: a site on 127.x is crawled.

use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, RwLock};

use ipnet::IpNet;
use pucha_core::EgressPolicy;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

/// A request refused by the egress policy (found in a reqwest error's source chain).
#[derive(Debug, Clone, thiserror::Error)]
#[error("egress policy: {0}")]
pub struct EgressDenied(pub String);

/// The parsed policy.
#[derive(Debug, Clone, Default)]
pub struct EgressRules {
    loopback_only: bool,
    allow_private: bool,
    allow_nets: Vec<IpNet>,
    allow_hosts: Vec<String>,
    deny_nets: Vec<IpNet>,
    deny_hosts: Vec<String>,
}

/// Cloud metadata endpoints (AWS/GCP/Azure link-local ones are also covered by link-local;
/// Alibaba's 100.100.100.200 sits in shared address space).
const METADATA: &[IpAddr] = &[
    IpAddr::V4(Ipv4Addr::new(169, 254, 169, 254)),
    IpAddr::V4(Ipv4Addr::new(100, 100, 100, 200)),
    IpAddr::V4(Ipv4Addr::new(168, 63, 129, 16)),
    IpAddr::V6(Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254)),
];

impl EgressRules {
    /// Parses a policy; entries that parse as a network (CIDR or bare address) are networks,
    /// the others host names (matching the name and its subdomains).
    pub fn from_policy(p: &EgressPolicy) -> EgressRules {
        let (allow_nets, allow_hosts) = split(&p.allow);
        let (deny_nets, deny_hosts) = split(&p.deny);
        EgressRules {
            loopback_only: p.loopback_only,
            allow_private: p.allow_private,
            allow_nets,
            allow_hosts,
            deny_nets,
            deny_hosts,
        }
    }

    /// Decides on a URL before anything is sent or resolved. `trusted` tells whether a host
    /// (name or IP literal) belongs to the site list.
    pub fn check_url(&self, url: &Url, trusted: &dyn Fn(&str) -> bool) -> Result<(), String> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!("scheme {} is never fetched", url.scheme()));
        }
        let host_str = url.host_str().unwrap_or("").to_ascii_lowercase();
        if host_matches(&self.deny_hosts, &host_str) {
            return Err(format!("host {host_str} is denied"));
        }
        match url.host() {
            Some(Host::Ipv4(ip)) => self.check_ip(IpAddr::V4(ip), trusted(&host_str)),
            Some(Host::Ipv6(ip)) => self.check_ip(IpAddr::V6(ip), trusted(&host_str)),
            Some(Host::Domain(d)) => {
                if self.loopback_only && !is_localhost(d) {
                    Err(format!(
                        "loopback_only: {d} is not contacted (not even resolved)"
                    ))
                } else {
                    Ok(())
                }
            }
            None => Err("no host".into()),
        }
    }

    /// Decides on one address; `trusted` when its host belongs to the site list or the allow-list.
    pub fn check_ip(&self, ip: IpAddr, trusted: bool) -> Result<(), String> {
        let ip = canonical(ip);
        if self.deny_nets.iter().any(|n| n.contains(&ip)) {
            return Err(format!("{ip} is in a denied network"));
        }
        if self.loopback_only {
            return if ip.is_loopback() {
                Ok(())
            } else {
                Err(format!("loopback_only: {ip} is not loopback"))
            };
        }
        if trusted || self.allow_nets.iter().any(|n| n.contains(&ip)) {
            return Ok(());
        }
        if METADATA.contains(&ip) {
            return Err(format!("{ip} is a cloud metadata address"));
        }
        if is_special(ip) && !self.allow_private {
            return Err(format!("{ip} is a loopback, private or link-local address"));
        }
        Ok(())
    }

    fn host_allowed(&self, host: &str) -> bool {
        host_matches(&self.allow_hosts, host)
    }
}

fn split(entries: &[String]) -> (Vec<IpNet>, Vec<String>) {
    let mut nets = Vec::new();
    let mut hosts = Vec::new();
    for e in entries {
        let e = e.trim();
        if let Ok(n) = e.parse::<IpNet>() {
            nets.push(n);
        } else if let Ok(ip) = e.parse::<IpAddr>() {
            nets.push(IpNet::from(ip));
        } else if !e.is_empty() {
            hosts.push(e.trim_start_matches("*.").to_ascii_lowercase());
        }
    }
    (nets, hosts)
}

fn host_matches(list: &[String], host: &str) -> bool {
    list.iter().any(|h| {
        host == h
            || host
                .strip_suffix(h.as_str())
                .is_some_and(|p| p.ends_with('.'))
    })
}

fn is_localhost(d: &str) -> bool {
    let d = d.trim_end_matches('.').to_ascii_lowercase();
    d == "localhost" || d.ends_with(".localhost")
}

fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}

/// Loopback, private, link-local, shared (CGNAT), unspecified, broadcast, multicast, unique-local.
fn is_special(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || o[0] == 0
                || (o[0] == 100 && (o[1] & 0xc0) == 64)
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
        }
    }
}

/// Shared state of the client's resolver: the policy and the hosts of sites being crawled.
#[derive(Debug, Default)]
pub struct ResolverState {
    rules: RwLock<EgressRules>,
    trusted: RwLock<HashSet<String>>,
}

impl ResolverState {
    /// State enforcing `rules`.
    pub fn new(rules: EgressRules) -> ResolverState {
        ResolverState {
            rules: RwLock::new(rules),
            trusted: RwLock::new(HashSet::new()),
        }
    }

    /// Marks host names as belonging to the site list (their addresses are never filtered).
    pub fn trust<'a>(&self, hosts: impl IntoIterator<Item = &'a str>) {
        if let Ok(mut t) = self.trusted.write() {
            for h in hosts {
                let h = h.to_ascii_lowercase();
                if !t.contains(&h) {
                    t.insert(h.clone());
                    t.insert(format!("www.{h}"));
                }
            }
        }
    }

    /// True when the host belongs to the site list.
    pub fn is_trusted(&self, host: &str) -> bool {
        self.trusted
            .read()
            .map(|t| t.contains(&host.to_ascii_lowercase()))
            .unwrap_or(false)
    }

    fn filter(&self, host: &str, addrs: Vec<SocketAddr>) -> Result<Vec<SocketAddr>, EgressDenied> {
        let rules = self.rules.read().map(|r| r.clone()).unwrap_or_default();
        let trusted = self.is_trusted(host) || rules.host_allowed(host);
        let mut why = None;
        let kept: Vec<SocketAddr> = addrs
            .into_iter()
            .filter(|a| match rules.check_ip(a.ip(), trusted) {
                Ok(()) => true,
                Err(e) => {
                    why.get_or_insert(e);
                    false
                }
            })
            .collect();
        match (kept.is_empty(), why) {
            (true, Some(w)) => Err(EgressDenied(format!("{host} resolves to {w}"))),
            _ => Ok(kept),
        }
    }
}

/// The DNS resolver of the crawler's client: system resolution, then the egress filter.
#[derive(Debug, Clone)]
pub struct GuardedResolver(pub Arc<ResolverState>);

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let state = self.0.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            let loopback_only = state.rules.read().map(|r| r.loopback_only).unwrap_or(true);
            if loopback_only && !is_localhost(&host) {
                return Err(Box::new(EgressDenied(format!(
                    "loopback_only: {host} is not resolved"
                )))
                    as Box<dyn std::error::Error + Send + Sync>);
            }
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await
                .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)?
                .collect();
            let kept = state
                .filter(&host, addrs)
                .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)?;
            Ok(Box::new(kept.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(p: EgressPolicy) -> EgressRules {
        EgressRules::from_policy(&p)
    }
    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn default_refuses_private_but_trusts_site_hosts() {
        let r = rules(EgressPolicy::default());
        let none = |_: &str| false;
        let site = |h: &str| h == "127.0.0.1";
        assert!(r.check_url(&u("http://10.0.0.8/"), &none).is_err());
        assert!(r
            .check_url(&u("http://169.254.169.254/latest"), &none)
            .is_err());
        assert!(r.check_url(&u("http://100.100.100.200/"), &none).is_err());
        assert!(r.check_url(&u("http://[::1]/"), &none).is_err());
        assert!(r
            .check_url(&u("http://[::ffff:192.168.1.1]/"), &none)
            .is_err());
        assert!(r.check_url(&u("http://127.0.0.1:8080/"), &site).is_ok());
        assert!(r.check_url(&u("http://8.8.8.8/"), &none).is_ok());
        assert!(r.check_url(&u("https://bszs.conac.cn/"), &none).is_ok());
        assert!(r.check_url(&u("ftp://x.cn/"), &none).is_err());
    }

    #[test]
    fn loopback_only_refuses_names_without_resolving() {
        let r = rules(EgressPolicy {
            loopback_only: true,
            ..Default::default()
        });
        let none = |_: &str| false;
        assert!(r.check_url(&u("https://bszs.conac.cn/"), &none).is_err());
        assert!(r.check_url(&u("http://8.8.8.8/"), &none).is_err());
        assert!(r.check_url(&u("http://127.0.2.9:8080/"), &none).is_ok());
        assert!(r.check_url(&u("http://localhost:1/"), &none).is_ok());
    }

    #[test]
    fn allow_and_deny_lists() {
        let r = rules(EgressPolicy {
            allow: vec!["10.1.0.0/16".into(), "intranet.gov.cn".into()],
            deny: vec!["8.8.8.0/24".into(), "bad.example".into()],
            ..Default::default()
        });
        let none = |_: &str| false;
        assert!(r.check_url(&u("http://10.1.2.3/"), &none).is_ok());
        assert!(r.check_url(&u("http://10.2.2.3/"), &none).is_err());
        assert!(r.check_url(&u("http://8.8.8.8/"), &none).is_err());
        assert!(r.check_url(&u("http://www.bad.example/"), &none).is_err());
        assert!(r.host_allowed("a.intranet.gov.cn"));
    }

    #[test]
    fn resolver_filter_drops_private_addresses() {
        let s = ResolverState::new(EgressRules::default());
        let private: SocketAddr = "10.0.0.1:0".parse().unwrap();
        let public: SocketAddr = "1.2.3.4:0".parse().unwrap();
        assert!(s.filter("evil.example", vec![private]).is_err());
        assert_eq!(
            s.filter("x.example", vec![private, public]).unwrap(),
            vec![public]
        );
        s.trust(["intranet.example"]);
        assert_eq!(
            s.filter("intranet.example", vec![private]).unwrap(),
            vec![private]
        );
    }
}
