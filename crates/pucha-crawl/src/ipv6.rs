//! The IPv6 reachability check of a site (ded.ipv6, indicators §4): the host's AAAA records, then
//! one TCP connection to an AAAA address on the site's port, with a short timeout. No HTTP request
//! is sent. The egress policy decides first: an address (or a name) it forbids is "not checked",
//! never a failure.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use pucha_core::Ipv6Check;
use url::{Host, Url};

use crate::egress::EgressRules;

/// At most this many AAAA addresses are tried.
const MAX_ADDRS: usize = 2;

/// Checks whether the site at `url` answers over IPv6. `rules` is the crawl's egress policy; the
/// site's own host is trusted as it is for the crawl.
pub(crate) async fn check(url: &Url, rules: &EgressRules, timeout: Duration) -> Ipv6Check {
    let Some(port) = url.port_or_known_default() else {
        return Ipv6Check::NotChecked {
            why: format!("no port for {url}"),
        };
    };
    let addrs: Vec<Ipv6Addr> = match url.host() {
        None => {
            return Ipv6Check::NotChecked {
                why: "no host".into(),
            }
        }
        Some(Host::Ipv4(ip)) => {
            return Ipv6Check::NoAaaa {
                detail: format!("站点以 IPv4 地址 {ip} 访问，无 AAAA 记录"),
            }
        }
        Some(Host::Ipv6(ip)) => vec![ip],
        Some(Host::Domain(d)) => {
            // The policy may forbid even resolving the name (loopback_only).
            if let Err(why) = rules.check_url(url, &|_| true) {
                return Ipv6Check::NotChecked { why };
            }
            match tokio::time::timeout(timeout, tokio::net::lookup_host((d, port))).await {
                Err(_) => {
                    return Ipv6Check::NotChecked {
                        why: format!("resolving {d} timed out"),
                    }
                }
                Ok(Err(e)) => {
                    return Ipv6Check::NotChecked {
                        why: format!("resolving {d} failed: {e}"),
                    }
                }
                Ok(Ok(found)) => {
                    let mut v6: Vec<Ipv6Addr> = Vec::new();
                    for a in found {
                        if let IpAddr::V6(ip) = a.ip() {
                            if ip.to_ipv4_mapped().is_none() && !v6.contains(&ip) {
                                v6.push(ip);
                            }
                        }
                    }
                    if v6.is_empty() {
                        return Ipv6Check::NoAaaa {
                            detail: format!("{d} 无 AAAA 记录"),
                        };
                    }
                    v6
                }
            }
        }
    };
    let mut last: Option<(SocketAddr, String)> = None;
    let mut denied: Option<String> = None;
    for ip in addrs.into_iter().take(MAX_ADDRS) {
        if let Err(why) = rules.check_ip(IpAddr::V6(ip), true) {
            denied.get_or_insert(why);
            continue;
        }
        let sa = SocketAddr::new(IpAddr::V6(ip), port);
        match tokio::time::timeout(timeout, tokio::net::TcpStream::connect(sa)).await {
            Ok(Ok(_)) => {
                return Ipv6Check::Reachable {
                    addr: sa.to_string(),
                }
            }
            Ok(Err(e)) => last = Some((sa, e.to_string())),
            Err(_) => last = Some((sa, format!("no answer within {} ms", timeout.as_millis()))),
        }
    }
    match (last, denied) {
        (Some((sa, error)), _) => Ipv6Check::ConnectFailed {
            addr: sa.to_string(),
            error,
        },
        (None, Some(why)) => Ipv6Check::NotChecked { why },
        (None, None) => Ipv6Check::NotChecked {
            why: "no address tried".into(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pucha_core::EgressPolicy;

    fn loopback_only() -> EgressRules {
        EgressRules::from_policy(&EgressPolicy {
            loopback_only: true,
            ..Default::default()
        })
    }

    // None of these sends a packet: an IPv4 literal needs no lookup, and the policy refuses the
    // others before any resolution or connection.

    #[tokio::test]
    async fn ipv4_literal_has_no_aaaa() {
        let u = Url::parse("http://127.0.3.7:8080/").unwrap();
        let got = check(&u, &loopback_only(), Duration::from_millis(200)).await;
        assert!(
            matches!(&got, Ipv6Check::NoAaaa { detail } if detail.contains("127.0.3.7")),
            "{got:?}"
        );
    }

    #[tokio::test]
    async fn names_and_addresses_outside_the_policy_are_not_checked() {
        let r = loopback_only();
        for u in ["http://www.example.gov.cn/", "http://[2001:db8::1]/"] {
            let got = check(&Url::parse(u).unwrap(), &r, Duration::from_millis(200)).await;
            assert!(matches!(got, Ipv6Check::NotChecked { .. }), "{u}: {got:?}");
        }
        let deny = EgressRules::from_policy(&EgressPolicy {
            deny: vec!["2001:db8::/32".into()],
            ..Default::default()
        });
        let got = check(
            &Url::parse("http://[2001:db8::1]/").unwrap(),
            &deny,
            Duration::from_millis(200),
        )
        .await;
        assert!(matches!(got, Ipv6Check::NotChecked { .. }), "{got:?}");
    }
}
