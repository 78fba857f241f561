//! What belongs to a site, and what kind of target a link is. Pure functions.

use pucha_core::{LinkKind, LinkTag};
use url::Url;

/// The hosts of one site: its own host plus the configured extra hosts. A leading `www.` is
/// ignored, so `www.x.gov.cn` and `x.gov.cn` are one site; ports must match (two loopback
/// sites may differ only by port).
#[derive(Debug, Clone)]
pub struct Scope {
    hosts: Vec<(String, Option<u16>)>,
}

impl Scope {
    /// The scope of a site at `home` with `extra_hosts` (`host` or `host:port`).
    pub fn new(home: &Url, extra_hosts: &[String]) -> Scope {
        let mut hosts = vec![(
            strip_www(home.host_str().unwrap_or("")),
            home.port_or_known_default(),
        )];
        for h in extra_hosts {
            let h = h.trim().to_ascii_lowercase();
            let (name, port) = match h.rsplit_once(':') {
                Some((n, p)) if p.parse::<u16>().is_ok() && !n.contains(':') => {
                    (n.to_string(), p.parse().ok())
                }
                _ => (h.clone(), None),
            };
            hosts.push((strip_www(&name), port));
        }
        Scope { hosts }
    }

    /// True when `url` is on one of the site's hosts.
    pub fn contains(&self, url: &Url) -> bool {
        let Some(host) = url.host_str() else {
            return false;
        };
        let host = strip_www(host);
        let port = url.port_or_known_default();
        self.hosts.iter().any(|(h, p)| {
            *h == host
                && match p {
                    Some(p) => Some(*p) == port,
                    // An extra host without a port matches http and https.
                    None => true,
                }
        })
    }

    /// The host names of the site (for the egress allow-list).
    pub fn host_names(&self) -> impl Iterator<Item = &str> {
        self.hosts.iter().map(|(h, _)| h.as_str())
    }
}

fn strip_www(h: &str) -> String {
    let h = h.to_ascii_lowercase();
    h.strip_prefix("www.").map(str::to_string).unwrap_or(h)
}

const ATTACHMENT_EXT: &[&str] = &[
    "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "wps", "et", "dps", "ofd", "zip", "rar",
    "7z", "tar", "gz", "txt", "csv", "rtf", "ceb", "apk", "exe",
];
const RESOURCE_EXT: &[&str] = &[
    "jpg", "jpeg", "png", "gif", "bmp", "webp", "svg", "ico", "css", "js", "mjs", "woff", "woff2",
    "ttf", "eot", "otf", "mp3", "mp4", "flv", "swf", "avi", "wmv", "webm", "ogg", "wav", "json",
    "xml",
];

/// The lowercase file extension of the URL's last path segment.
pub fn extension(url: &Url) -> Option<String> {
    let last = url.path_segments()?.next_back()?;
    let (_, ext) = last.rsplit_once('.')?;
    (!ext.is_empty() && ext.len() <= 5).then(|| ext.to_ascii_lowercase())
}

/// True when the URL names an attachment (PDF, Office and WPS documents, archives).
pub fn is_attachment(url: &Url) -> bool {
    extension(url).is_some_and(|e| ATTACHMENT_EXT.contains(&e.as_str()))
}

/// Classifies an http(s) link target found in element `tag`.
pub fn classify(url: &Url, tag: LinkTag, scope: &Scope) -> LinkKind {
    if !scope.contains(url) {
        return LinkKind::External;
    }
    if is_attachment(url) {
        return LinkKind::Attachment;
    }
    let ext = extension(url);
    if ext.as_deref().is_some_and(|e| RESOURCE_EXT.contains(&e)) {
        return LinkKind::InternalResource;
    }
    match tag {
        LinkTag::Img | LinkTag::Script | LinkTag::Link => LinkKind::InternalResource,
        LinkTag::A | LinkTag::Area | LinkTag::Iframe | LinkTag::Form => LinkKind::InternalPage,
    }
}

/// Link targets that are never fetched: `javascript:`, `mailto:`, `tel:` and the like.
pub fn is_pseudo(raw: &str) -> bool {
    let r = raw.trim_start().to_ascii_lowercase();
    [
        "javascript:",
        "mailto:",
        "tel:",
        "sms:",
        "data:",
        "about:",
        "vbscript:",
    ]
    .iter()
    .any(|p| r.starts_with(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn classifies_links() {
        let scope = Scope::new(&u("http://www.x.gov.cn/"), &["zwfw.x.gov.cn".into()]);
        let k = |s: &str, t| classify(&u(s), t, &scope);
        assert_eq!(
            k("http://x.gov.cn/col/1.html", LinkTag::A),
            LinkKind::InternalPage
        );
        assert_eq!(
            k("http://zwfw.x.gov.cn/", LinkTag::A),
            LinkKind::InternalPage
        );
        assert_eq!(
            k("http://www.x.gov.cn/a/b.PDF", LinkTag::A),
            LinkKind::Attachment
        );
        assert_eq!(
            k("http://www.x.gov.cn/logo", LinkTag::Img),
            LinkKind::InternalResource
        );
        assert_eq!(
            k("http://www.x.gov.cn/s.css", LinkTag::A),
            LinkKind::InternalResource
        );
        assert_eq!(k("https://bszs.conac.cn/x", LinkTag::A), LinkKind::External);
        assert_eq!(
            k("http://www.x.gov.cn:8080/", LinkTag::A),
            LinkKind::External
        );
        assert!(is_pseudo(" JavaScript:void(0)"));
        assert!(is_pseudo("mailto:a@x.cn"));
        assert!(!is_pseudo("/a.html"));
    }
}
