//! Phrase dictionaries matched with one Aho-Corasick automaton.
//!
//! Why it exists: the wording dictionary (`veto.serious_wording_error`) and the prohibited-terms
//! dictionary (`veto.prohibited_content`) work the same way. A phrase either carries a value
//! (a wrong form, a prohibited term) or carries none (a correct form, an allowed phrase). The
//! phrases without a value are matched only so that, leftmost-longest, they shadow the phrases
//! inside them (习近平 is no hit of 近平; 打击色情 is no hit of 色情).

use std::collections::HashSet;

use aho_corasick::{AhoCorasick, MatchKind};

/// A compiled dictionary of phrases carrying values of type `T`.
#[derive(Debug, Clone)]
pub(crate) struct Phrases<T> {
    ac: Option<AhoCorasick>,
    /// Pattern index → value; `None` for shadowing phrases.
    values: Vec<Option<T>>,
    snippet_chars: usize,
}

/// Collects phrases; the first occurrence of a phrase wins, empty phrases are dropped.
pub(crate) struct PhrasesBuilder<T> {
    seen: HashSet<String>,
    patterns: Vec<String>,
    values: Vec<Option<T>>,
}

impl<T> PhrasesBuilder<T> {
    pub fn new() -> Self {
        PhrasesBuilder {
            seen: HashSet::new(),
            patterns: Vec::new(),
            values: Vec::new(),
        }
    }

    pub fn push(&mut self, phrase: &str, value: Option<T>) {
        if phrase.is_empty() || !self.seen.insert(phrase.to_string()) {
            return;
        }
        self.patterns.push(phrase.to_string());
        self.values.push(value);
    }

    /// The automaton; `ascii_case_insensitive` for dictionaries with Latin terms (`AV在线`).
    pub fn build(self, ascii_case_insensitive: bool, snippet_chars: usize) -> Phrases<T> {
        let ac = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .ascii_case_insensitive(ascii_case_insensitive)
            .build(&self.patterns)
            .ok();
        Phrases {
            ac,
            values: self.values,
            snippet_chars,
        }
    }
}

impl<T: Clone> Phrases<T> {
    /// Phrases that carry a value.
    pub fn len(&self) -> usize {
        self.values.iter().filter(|v| v.is_some()).count()
    }

    /// Every valued phrase in `text`, in order, with its snippet.
    pub fn scan(&self, text: &str) -> Vec<(T, String)> {
        let Some(ac) = &self.ac else {
            return Vec::new();
        };
        ac.find_iter(text)
            .filter_map(|m| {
                let value = self.values[m.pattern().as_usize()].clone()?;
                Some((value, snippet(text, m.start(), m.end(), self.snippet_chars)))
            })
            .collect()
    }
}

/// `text[start..end]` with up to `n` characters either side, whitespace collapsed.
pub fn snippet(text: &str, start: usize, end: usize, n: usize) -> String {
    let before: String = {
        let mut v: Vec<char> = text[..start].chars().rev().take(n).collect();
        v.reverse();
        v.into_iter().collect()
    };
    let after: String = text[end..].chars().take(n).collect();
    let s = format!("{before}{}{after}", &text[start..end]);
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shadowing_phrases_hide_the_phrases_inside_them() {
        let mut b = PhrasesBuilder::new();
        b.push("打击色情", None);
        b.push("色情", Some("色情"));
        b.push("色情", Some("dup"));
        b.push("", Some("empty"));
        b.push("AV在线", Some("AV在线"));
        let p = b.build(true, 2);
        assert_eq!(p.len(), 2);
        let hits = p.scan("严厉打击色情信息；举报色情网站，av在线");
        let values: Vec<&str> = hits.iter().map(|h| h.0).collect();
        assert_eq!(values, ["色情", "AV在线"]);
        assert_eq!(hits[0].1, "举报色情网站");
    }
}
