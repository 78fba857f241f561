//! The versioned rule pack: every threshold, window, point value, keyword list and the
//! serious-wording dictionary the rules use.
//!
//! The national defaults ship as `packs/gb-2019.toml` (compiled in). A province overlay is a TOML
//! file holding only the keys it changes; [`RulePack::load`] merges it over the defaults key by key,
//! so an overlay never has to repeat the whole pack. Unknown keys are errors (typos must not
//! silently fall back to a default).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::RulesError;

const BUILTIN: &str = include_str!("../packs/gb-2019.toml");

/// The rule pack: the configuration of every rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulePack {
    /// Pack name recorded in reports, e.g. "gb-2019" or "gb-2019+sc-2023".
    pub name: String,
    pub version: String,
    #[serde(default)]
    pub description: String,
    pub availability: Availability,
    pub homepage_update: HomepageUpdate,
    pub key_columns: KeyColumns,
    pub long_term_stale: LongTermStale,
    pub blank_columns: BlankColumns,
    pub consultation: Consultation,
    pub services: Services,
    pub falsification: Falsification,
    pub wording: Wording,
    pub interaction: Interaction,
    pub interpretation: Interpretation,
    pub overview: Overview,
    pub prohibited: Prohibited,
    pub security: Security,
    pub links: Links,
    pub meta: MetaTags,
    pub footer: FooterRules,
    pub domain: DomainRules,
    pub scoring: Scoring,
    pub classes: Classes,
    /// Checks beyond the 2019 indicators (`ext.*`): never scored or vetoing unless promoted.
    #[serde(default)]
    pub extensions: crate::ext::Extensions,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Availability {
    pub days: u32,
    pub min_probes_per_day: u32,
    pub timeout_ms: u64,
    pub veto_failure_ratio: f64,
    pub warn_failure_ratio: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HomepageUpdate {
    pub window_days: u32,
    pub nav_only_fallback: bool,
    /// Judge by the monitor's homepage snapshots when they cover the window (§3.8 step 4):
    /// a change of what the homepage lists within the window = updated, none = not updated,
    /// whatever dates the page shows.
    #[serde(default = "default_true")]
    pub snapshots: bool,
}

fn default_true() -> bool {
    true
}

/// Which columns group (b) of `veto.key_columns_stale` counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BScope {
    FirstLevelPlusTyped,
    All,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyColumns {
    pub news_window_days: u32,
    pub notice_policy_window_months: u32,
    pub veto_count: u32,
    pub b_scope: BScope,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LongTermStale {
    pub veto_count: u32,
    pub includes_blank: bool,
    /// Stale 动态要闻 / 通知公告 / 政策文件 columns count here too (they are should-update columns).
    pub includes_key_columns: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlankColumns {
    pub veto_count: u32,
    pub min_text_chars: usize,
    /// A list-type column (one with an update window) with no items and less text than this.
    pub list_min_text_chars: usize,
    pub placeholders: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Consultation {
    pub lookback_months: u32,
    pub max_unanswered_months: u32,
    pub late_reply_counts: bool,
    pub channel_keywords: Vec<String>,
    pub excluded_keywords: Vec<String>,
    pub publication_window_months: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Services {
    pub entry_keywords: Vec<String>,
    pub key_elements: Vec<String>,
    pub veto_missing_per_guide: u32,
    pub veto_guide_count: u32,
    /// Site home URLs or 标识码 of sites without an external service function.
    pub no_service_sites: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Falsification {
    pub future_tolerance_days: u32,
    pub url_date_tolerance_days: u32,
    /// List dates in the future count as signals too (they are often month-day dates whose year
    /// was guessed, so off by default; PubDate always counts).
    pub list_dates_count: bool,
}

/// One explicit wrong form of the wording dictionary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WrongForm {
    pub wrong: String,
    pub correct: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Wording {
    pub snippet_chars: usize,
    pub min_generate_chars: usize,
    /// Correct forms; single-character wrong forms are generated from `confusables`.
    pub terms: Vec<String>,
    pub wrong_forms: Vec<WrongForm>,
    /// Character → characters it is commonly confused with.
    pub confusables: BTreeMap<String, String>,
    /// Ordinary errors: reported as `ded.minor_typos`, never a veto.
    pub minor_forms: Vec<WrongForm>,
}

/// `ded.message_stats`, `ded.survey_feedback`, `ded.online_interview`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Interaction {
    pub stats_keywords: Vec<String>,
    pub stats_context: Vec<String>,
    pub survey_names: Vec<String>,
    pub feedback_keywords: Vec<String>,
    pub interview_names: Vec<String>,
    pub interview_window_months: u32,
}

/// `ded.policy_interpretation`: what counts as a link to the interpreted document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Interpretation {
    pub policy_link_keywords: Vec<String>,
    pub policy_title_regex: String,
}

/// `ded.overview_info`: the sections and the elements they show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Overview {
    pub overview_keywords: Vec<String>,
    pub function_keywords: Vec<String>,
    pub leader_keywords: Vec<String>,
    /// Element name → words, any of which shows it.
    pub function_elements: BTreeMap<String, Vec<String>>,
    pub leader_elements: BTreeMap<String, Vec<String>>,
}

/// `veto.prohibited_content`: the dictionary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prohibited {
    pub snippet_chars: usize,
    pub terms: Vec<String>,
    /// Ordinary phrases containing a term; they shadow it.
    pub allowed: Vec<String>,
}

/// Which pages the redirect signal of `veto.security_incident` looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RedirectPages {
    Homepage,
    All,
}

/// `veto.security_incident`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Security {
    pub weak_hiding_needs_term: bool,
    pub trusted_suffixes: Vec<String>,
    pub redirect_pages: RedirectPages,
}

/// How broken-link occurrences are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkDedupe {
    PerPage,
    PerTarget,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Links {
    pub dedupe: LinkDedupe,
    pub count_external: bool,
}

/// Where the site tags are required.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SiteTagsOn {
    All,
    Homepage,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetaTags {
    pub site_tags_on: SiteTagsOn,
    pub site_tags: Vec<String>,
    pub column_tags: Vec<String>,
    pub content_tags: Vec<String>,
    pub pubdate_regex: String,
    pub columntype_vocab: Vec<String>,
    pub columntype_accepted: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FooterRules {
    pub site_id_code_regex: String,
    pub icp_regex: String,
    pub psb_regex: String,
    pub phone_regex: String,
    pub jiucuo_hosts: Vec<String>,
    pub jiucuo_legacy_hosts: Vec<String>,
    pub legacy_jiucuo_is_defect: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DomainRules {
    pub suffixes: Vec<String>,
}

/// One deduction item: points per occurrence, capped (score.item_cap).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoreItem {
    pub group: String,
    pub points_each: f64,
    pub cap: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scoring {
    pub deduction_total: f64,
    pub bonus_total: f64,
    pub fail_below: f64,
    pub bonus_above: f64,
    pub no_service_base: f64,
    pub no_service_scale: f64,
    /// Group name → its points (the cap of all its items together).
    pub groups: BTreeMap<String, f64>,
    /// Rule id → item.
    pub items: BTreeMap<String, ScoreItem>,
}

/// One column class of indicators §7.2.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ClassDef {
    pub names: Vec<String>,
    pub column_types: Vec<String>,
    pub url_tokens: Vec<String>,
    #[serde(default)]
    pub window_days: Option<u32>,
    #[serde(default)]
    pub window_months: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Classes {
    pub excluded_interaction: ClassDef,
    pub interpretation: ClassDef,
    pub consultation: ClassDef,
    pub service_stats: ClassDef,
    pub service: ClassDef,
    pub topic: ClassDef,
    pub notice: ClassDef,
    pub policy: ClassDef,
    pub news: ClassDef,
    pub personnel: ClassDef,
    pub fiscal: ClassDef,
    pub statics: ClassDef,
    pub other: ClassDef,
}

impl RulePack {
    /// The national gb-2019 pack shipped with pucha.
    pub fn builtin() -> RulePack {
        toml::from_str(BUILTIN).expect("the builtin rule pack parses (tested)")
    }

    /// Loads a pack file: a full pack or an overlay, merged over the builtin pack.
    pub fn load(path: &Path) -> Result<RulePack, RulesError> {
        let text = std::fs::read_to_string(path).map_err(|source| RulesError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        RulePack::from_overlay_str(&text).map_err(|e| match e {
            RulesError::Toml { source, .. } => RulesError::Toml {
                path: path.to_path_buf(),
                source,
            },
            other => other,
        })
    }

    /// Parses an overlay (TOML text) and merges it over the builtin pack.
    pub fn from_overlay_str(text: &str) -> Result<RulePack, RulesError> {
        let toml_err = |source| RulesError::Toml {
            path: "<overlay>".into(),
            source,
        };
        let mut base: toml::Table = toml::from_str(BUILTIN).expect("builtin pack is TOML");
        let overlay: toml::Table = toml::from_str(text).map_err(toml_err)?;
        merge(&mut base, overlay);
        let pack: RulePack = toml::Value::Table(base).try_into().map_err(toml_err)?;
        pack.validate()?;
        Ok(pack)
    }

    /// Checks the values that would make rules meaningless.
    pub fn validate(&self) -> Result<(), RulesError> {
        let mut problems = Vec::new();
        for (what, re) in [
            ("meta.pubdate_regex", &self.meta.pubdate_regex),
            ("footer.site_id_code_regex", &self.footer.site_id_code_regex),
            ("footer.icp_regex", &self.footer.icp_regex),
            ("footer.psb_regex", &self.footer.psb_regex),
            ("footer.phone_regex", &self.footer.phone_regex),
            (
                "interpretation.policy_title_regex",
                &self.interpretation.policy_title_regex,
            ),
        ] {
            if let Err(e) = regex::Regex::new(re) {
                problems.push(format!("{what}: {e}"));
            }
        }
        for (id, item) in &self.scoring.items {
            if !self.scoring.groups.contains_key(&item.group) {
                problems.push(format!(
                    "scoring.items.\"{id}\": unknown group {}",
                    item.group
                ));
            }
            if pucha_core::rule_ids::info(id).is_none() {
                problems.push(format!("scoring.items.\"{id}\": unknown rule id"));
            }
        }
        problems.extend(self.extensions.problems());
        if let Err(e) = crate::ext::Register::new(&self.extensions.outdated_names) {
            problems.push(e.to_string());
        }
        let r = self.availability.veto_failure_ratio;
        if !(0.0..=1.0).contains(&r) {
            problems.push(format!("availability.veto_failure_ratio {r} not in 0..1"));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(RulesError::Invalid(problems.join("; ")))
        }
    }

    /// `name@version`, as recorded in reports.
    pub fn label(&self) -> String {
        format!("{}@{}", self.name, self.version)
    }

    /// SHA-256 (hex) of the pack's content: equal packs hash equal on every machine.
    pub fn content_hash(&self) -> String {
        use sha2::{Digest, Sha256};
        // TOML of the typed pack: fields in declaration order, maps sorted.
        let text = toml::to_string(self).expect("a rule pack serialises");
        let digest = Sha256::digest(text.as_bytes());
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The spec a job carries for this pack, resolved from `overlay` (the operator's pack
    /// file text; `None` for the built-in pack).
    pub fn spec(&self, overlay: Option<String>) -> pucha_core::PackSpec {
        pucha_core::PackSpec {
            label: self.label(),
            hash: self.content_hash(),
            overlay,
        }
    }

    /// The pack a job's spec names, resolved as every worker resolves it: the built-in pack,
    /// or the overlay over it; refused when the result is not the pack the coordinator
    /// hashed (a worker built with another built-in pack).
    pub fn resolve(spec: &pucha_core::PackSpec) -> Result<RulePack, RulesError> {
        let pack = match &spec.overlay {
            None => RulePack::builtin(),
            Some(text) => RulePack::from_overlay_str(text)?,
        };
        let hash = pack.content_hash();
        if hash != spec.hash {
            return Err(RulesError::PackMismatch {
                label: spec.label.clone(),
                want: spec.hash.clone(),
                got: hash,
                got_label: pack.label(),
            });
        }
        Ok(pack)
    }
}

/// Deep merge: tables merge key by key, anything else is replaced.
fn merge(base: &mut toml::Table, overlay: toml::Table) {
    for (k, v) in overlay {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_parses_and_validates() {
        let p = RulePack::builtin();
        assert_eq!(p.name, "gb-2019");
        p.validate().unwrap();
        assert_eq!(p.blank_columns.veto_count, 5);
        assert_eq!(p.scoring.groups["service"], 25.0);
    }

    #[test]
    fn overlay_changes_only_its_keys() {
        let p = RulePack::from_overlay_str(
            "name = \"gb-2019+sc-2023\"\n[blank_columns]\nveto_count = 3\n",
        )
        .unwrap();
        assert_eq!(p.name, "gb-2019+sc-2023");
        assert_eq!(p.blank_columns.veto_count, 3);
        assert_eq!(p.blank_columns.min_text_chars, 50);
        assert_eq!(p.key_columns.veto_count, 5);
    }

    #[test]
    fn overlay_with_unknown_key_is_rejected() {
        let e = RulePack::from_overlay_str("[blank_columns]\nveto_cont = 3\n").unwrap_err();
        assert!(e.to_string().contains("veto_cont"), "{e}");
    }

    #[test]
    fn overlay_with_bad_regex_is_rejected() {
        let e = RulePack::from_overlay_str("[meta]\npubdate_regex = '('\n").unwrap_err();
        assert!(matches!(e, RulesError::Invalid(_)));
    }

    #[test]
    fn load_reads_a_file() {
        let dir = std::env::temp_dir().join(format!("pucha-rules-pack-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("sc.toml");
        std::fs::write(&f, "version = \"2023.1\"\n[scoring]\nfail_below = 65.0\n").unwrap();
        let p = RulePack::load(&f).unwrap();
        assert_eq!(p.version, "2023.1");
        assert_eq!(p.scoring.fail_below, 65.0);
        assert!(RulePack::load(&dir.join("missing.toml")).is_err());
        std::fs::remove_dir_all(&dir).ok();
    }
}
