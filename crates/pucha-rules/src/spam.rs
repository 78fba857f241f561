//! The prohibited-content dictionary (`veto.prohibited_content`, and the spam test of
//! `veto.security_incident`): terms of the kind injected into hacked government sites, matched
//! with one Aho-Corasick automaton (leftmost-longest, ASCII case-insensitive). Allowed phrases that
//! contain a term (打击色情, 红色情怀) are in the automaton too and shadow the term inside them, like
//! the correct forms of the wording dictionary.

use crate::pack::Prohibited;
use crate::phrases::{Phrases, PhrasesBuilder};

/// One prohibited term found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpamHit {
    pub term: String,
    /// The hit with up to `snippet_chars` characters either side.
    pub snippet: String,
}

/// A compiled dictionary.
#[derive(Debug, Clone)]
pub struct SpamDict {
    /// Terms, and allowed phrases without a value (they shadow the terms inside them).
    phrases: Phrases<String>,
}

impl SpamDict {
    pub fn new(cfg: &Prohibited) -> SpamDict {
        let mut phrases = PhrasesBuilder::new();
        for a in &cfg.allowed {
            phrases.push(a, None);
        }
        for t in &cfg.terms {
            phrases.push(t, Some(t.clone()));
        }
        SpamDict {
            phrases: phrases.build(true, cfg.snippet_chars),
        }
    }

    /// Number of terms (allowed phrases not counted).
    pub fn len(&self) -> usize {
        self.phrases.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every term in `text`, in order.
    pub fn scan(&self, text: &str) -> Vec<SpamHit> {
        self.phrases
            .scan(text)
            .into_iter()
            .map(|(term, snippet)| SpamHit { term, snippet })
            .collect()
    }

    /// The distinct terms in `text`, in order of first appearance.
    pub fn terms_in(&self, text: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for h in self.scan(text) {
            if !out.contains(&h.term) {
                out.push(h.term);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pack::RulePack;

    fn dict() -> SpamDict {
        SpamDict::new(&RulePack::builtin().prohibited)
    }

    #[test]
    fn finds_gambling_and_porn_terms_with_snippets() {
        let hits = dict().scan("欢迎光临澳门赌场，百家乐真人荷官在线，av在线观看");
        let terms: Vec<&str> = hits.iter().map(|h| h.term.as_str()).collect();
        assert_eq!(terms, ["澳门赌场", "百家乐", "真人荷官", "AV在线"]);
        assert!(hits[0].snippet.contains("欢迎光临澳门赌场"));
    }

    #[test]
    fn government_phrases_containing_a_term_are_not_hits() {
        let d = dict();
        for text in [
            "开展“扫黄打非”专项行动，严厉打击色情低俗信息",
            "传承红色情怀，弘扬特色情况介绍",
            "依法查处非法六合彩赌博活动",
            "全市经济运行情况良好",
        ] {
            assert!(d.scan(text).is_empty(), "{text}: {:?}", d.scan(text));
        }
        assert_eq!(d.terms_in("举报色情网站"), ["色情"]);
    }
}
