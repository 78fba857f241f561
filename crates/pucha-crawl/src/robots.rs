//! robots.txt: what the parsed file (texting_robots) allows, and how its fetch result maps to
//! a policy. A missing file (4xx) allows everything; an unreadable one (5xx, network error,
//! unparsable) is noted and treated as allowing everything, so that a broken robots.txt does
//! not hide a site from the inspection.

use std::time::Duration;

use texting_robots::Robot;

/// The robots.txt rules of one host.
pub enum RobotsRules {
    AllowAll,
    Parsed(Box<Robot>),
}

impl std::fmt::Debug for RobotsRules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RobotsRules::AllowAll => f.write_str("AllowAll"),
            RobotsRules::Parsed(r) => write!(f, "Parsed(delay={:?})", r.delay),
        }
    }
}

impl RobotsRules {
    /// Rules from a fetched robots.txt body, for the product token of `user_agent`.
    pub fn parse(user_agent: &str, body: &[u8]) -> Result<RobotsRules, String> {
        Robot::new(&product_token(user_agent), body)
            .map(|r| RobotsRules::Parsed(Box::new(r)))
            .map_err(|e| e.to_string())
    }

    /// Whether `url` may be fetched.
    pub fn allowed(&self, url: &str) -> bool {
        match self {
            RobotsRules::AllowAll => true,
            RobotsRules::Parsed(r) => r.allowed(url),
        }
    }

    /// The Crawl-delay, if any.
    pub fn crawl_delay(&self) -> Option<Duration> {
        match self {
            RobotsRules::AllowAll => None,
            RobotsRules::Parsed(r) => r
                .delay
                .filter(|d| d.is_finite() && *d > 0.0)
                .map(Duration::from_secs_f32),
        }
    }
}

/// `pucha/0.1 (...)` → `pucha`: the token robots.txt groups are matched against.
pub fn product_token(user_agent: &str) -> String {
    user_agent
        .split(|c: char| c == '/' || c.is_whitespace())
        .next()
        .filter(|s| !s.is_empty())
        .unwrap_or("pucha")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn honours_groups_and_delay() {
        let txt = b"User-agent: *\nDisallow: /private/\nCrawl-delay: 2\n\nUser-agent: pucha\nDisallow: /nopucha/\nCrawl-delay: 1\n";
        let r = RobotsRules::parse("pucha/0.1 (inspection)", txt).unwrap();
        assert!(!r.allowed("http://x.cn/nopucha/a.html"));
        assert!(r.allowed("http://x.cn/private/a.html"));
        assert_eq!(r.crawl_delay(), Some(Duration::from_secs(1)));
        let other = RobotsRules::parse("otherbot/1", txt).unwrap();
        assert!(!other.allowed("http://x.cn/private/a.html"));
        assert!(RobotsRules::AllowAll.allowed("http://x.cn/private/"));
    }
}
