//! Shared strings for the link data of a crawl.
//!
//! Why it exists: a site's pages repeat the same navigation and footer links on every
//! page, and every link occurrence becomes a [`crate::LinkRecord`]. Held as one `String`
//! each, a 250-page site keeps tens of thousands of copies of the same few hundred URLs
//! and anchor texts, and 64 sites crawled at once outgrow a worker's memory budget.
//! [`SharedStr`] serialises exactly like a `String` (the JSON contract is unchanged);
//! an [`Interner`] makes equal strings of one site share one allocation.

use foldhash::HashSet;
use std::sync::Arc;

/// An immutable, cheaply cloned string; serialised as a plain JSON string.
pub type SharedStr = Arc<str>;

/// Hands out one [`SharedStr`] per distinct string.
/// Keys come from untrusted pages, so the hasher is fast but randomly seeded (foldhash).
#[derive(Debug, Default)]
pub struct Interner {
    set: HashSet<SharedStr>,
}

impl Interner {
    pub fn new() -> Interner {
        Interner::default()
    }

    /// The shared copy of `s`, made on first sight.
    pub fn intern(&mut self, s: &str) -> SharedStr {
        if let Some(found) = self.set.get(s) {
            return found.clone();
        }
        let shared: SharedStr = Arc::from(s);
        self.set.insert(shared.clone());
        shared
    }

    /// Distinct strings held.
    pub fn len(&self) -> usize {
        self.set.len()
    }

    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_strings_share_one_allocation() {
        let mut i = Interner::new();
        let a = i.intern("http://a.gov.cn/");
        let b = i.intern(&String::from("http://a.gov.cn/"));
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(i.len(), 1);
        let c = i.intern("http://b.gov.cn/");
        assert!(!Arc::ptr_eq(&a, &c));
        assert_eq!(i.len(), 2);
    }

    #[test]
    fn shared_str_serialises_as_a_plain_string() {
        let s: SharedStr = Arc::from("政府");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"政府\"");
        let back: SharedStr = serde_json::from_str("\"政府\"").unwrap();
        assert_eq!(&*back, "政府");
    }
}
