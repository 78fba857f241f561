//! The serious-wording dictionary (`veto.serious_wording_error`, `ded.minor_typos`).
//!
//! Wrong forms of official names and fixed political formulations are matched with one
//! Aho-Corasick automaton over a page's body text. The dictionary comes from the rule pack: explicit
//! wrong forms, plus forms generated from each correct term by replacing one character with a
//! homophone or look-alike (`confusables`), which catches the typical input-method error
//! (习近凭 for 习近平) without listing every variant by hand.

use std::collections::BTreeSet;

use crate::pack::Wording;

use crate::phrases::{Phrases, PhrasesBuilder};

/// One dictionary entry: a wrong form and the form it should have been.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub wrong: String,
    pub correct: String,
    /// Ordinary error (ded.minor_typos), not a veto candidate.
    pub minor: bool,
}

/// One occurrence of a wrong form in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub entry: Entry,
    /// The hit with up to `snippet_chars` characters either side.
    pub snippet: String,
}

/// A compiled dictionary.
#[derive(Debug, Clone)]
pub struct Dictionary {
    /// Wrong forms with their entry; correct forms without (they shadow wrong forms inside them).
    phrases: Phrases<Entry>,
}

impl Dictionary {
    pub fn new(cfg: &Wording) -> Dictionary {
        let correct: BTreeSet<&str> = cfg.terms.iter().map(String::as_str).collect();
        let mut phrases = PhrasesBuilder::new();
        let mut push = |wrong: String, entry: Option<Entry>| phrases.push(&wrong, entry);
        for t in &correct {
            push(t.to_string(), None);
        }
        for f in &cfg.wrong_forms {
            push(
                f.wrong.clone(),
                Some(Entry {
                    wrong: f.wrong.clone(),
                    correct: f.correct.clone(),
                    minor: false,
                }),
            );
        }
        for f in &cfg.minor_forms {
            push(
                f.wrong.clone(),
                Some(Entry {
                    wrong: f.wrong.clone(),
                    correct: f.correct.clone(),
                    minor: true,
                }),
            );
        }
        for term in &correct {
            let chars: Vec<char> = term.chars().collect();
            if chars.len() < cfg.min_generate_chars {
                continue;
            }
            for (i, c) in chars.iter().enumerate() {
                let Some(alts) = cfg.confusables.get(&c.to_string()) else {
                    continue;
                };
                for alt in alts.chars().filter(|a| a != c) {
                    let mut v = chars.clone();
                    v[i] = alt;
                    let wrong: String = v.into_iter().collect();
                    // A variant that is itself correct text is no error.
                    if correct.iter().any(|t| t.contains(wrong.as_str())) {
                        continue;
                    }
                    push(
                        wrong.clone(),
                        Some(Entry {
                            wrong,
                            correct: term.to_string(),
                            minor: false,
                        }),
                    );
                }
            }
        }
        Dictionary {
            phrases: phrases.build(false, cfg.snippet_chars),
        }
    }

    /// Number of wrong forms in the dictionary.
    pub fn len(&self) -> usize {
        self.phrases.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every wrong form in `text`, in order.
    pub fn scan(&self, text: &str) -> Vec<Hit> {
        self.phrases
            .scan(text)
            .into_iter()
            .map(|(entry, snippet)| Hit { entry, snippet })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pack::RulePack;
    use crate::phrases::snippet;

    fn dict() -> Dictionary {
        Dictionary::new(&RulePack::builtin().wording)
    }

    #[test]
    fn finds_generated_leader_name_variant_with_snippet() {
        let text = "会议强调，要深入学习贯彻习近凭总书记重要讲话精神，推动各项工作落实。";
        let hits = dict().scan(text);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].entry.wrong, "习近凭");
        assert_eq!(hits[0].entry.correct, "习近平");
        assert!(hits[0].snippet.contains("学习贯彻习近凭总书记"));
    }

    #[test]
    fn correct_text_has_no_hits() {
        let text = "坚持以习近平新时代中国特色社会主义思想为指导，增强“四个意识”、坚定“四个自信”、做到“两个维护”，践行社会主义核心价值观。中国共产党丰阳市委员会。";
        assert!(dict().scan(text).is_empty(), "{:?}", dict().scan(text));
    }

    #[test]
    fn finds_phrase_variants() {
        let d = dict();
        assert_eq!(
            d.scan("培育和践行社会主义核心价值关")[0].entry.correct,
            "社会主义核心价值观"
        );
        assert_eq!(
            d.scan("深入学习习近平新时期中国特色社会主义思想")[0]
                .entry
                .wrong,
            "习近平新时期中国特色社会主义思想"
        );
        assert_eq!(d.scan("坚决做到二个维护").len(), 1);
        assert_eq!(d.scan("中国共党成立").len(), 1);
    }

    #[test]
    fn snippet_is_bounded_by_characters() {
        let text = "一二三四五错误六七八九十";
        let start = text.find("错误").unwrap();
        let s = snippet(text, start, start + "错误".len(), 2);
        assert_eq!(s, "四五错误六七");
    }
}
