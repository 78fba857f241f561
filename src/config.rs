//! `pucha.toml`: the run configuration read by `pucha run`, `pucha coordinator` and
//! `pucha report` (`--config PATH`, default `./pucha.toml` when it exists).
//!
//! Precedence: a command-line flag (or its environment variable) wins over the file, the file
//! wins over the built-in default. An unknown key is an error naming the key, so a misspelt
//! setting is never silently ignored. See `deploy/pucha.toml.example` and docs/notice.md.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer};

use crate::census::CensusOpts;

/// The file read when no `--config` is given and it exists.
pub const DEFAULT_CONFIG: &str = "pucha.toml";

/// Errors of reading a configuration file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the configuration {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid configuration {path}: {detail}")]
    Parse { path: PathBuf, detail: String },
}

/// The whole file. Every section is optional.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub notice: NoticeConfig,
    #[serde(default)]
    pub run: RunConfig,
    #[serde(default)]
    pub crawl: CrawlSection,
}

/// `[notice]`: what the report alone cannot know about the notice (通报).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoticeConfig {
    /// 发文单位, e.g. "绵阳市政务服务监督管理局".
    pub issuer: Option<String>,
    /// 文号, e.g. "绵政监函〔2019〕49号".
    pub doc_number: Option<String>,
    /// 成文日期 (落款), `2019-08-30` (a TOML date or a string). Default: the run's as-of date.
    #[serde(default, deserialize_with = "de_date")]
    pub issue_date: Option<NaiveDate>,
    /// 联系电话 printed before the annex list.
    pub contact_phone: Option<String>,
    /// 联系人 printed before the annex list.
    pub contact_person: Option<String>,
    /// The provincial notice cited in the basis paragraph.
    pub provincial_basis: Option<String>,
    /// The region named in 总体情况, e.g. "绵阳市" (default: the scope).
    pub region_name: Option<String>,
    /// The area covered, e.g. "全市".
    pub scope: Option<String>,
    /// 主送单位 line, ending in "：".
    pub recipients: Option<String>,
    /// Working days given to rectify (default 15).
    pub deadline_days: Option<u32>,
    /// Whether the notice carries 附件2 (其他问题) (default true).
    pub include_other_problems: Option<bool>,
}

/// `[run]`: where runs and outputs are kept.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunConfig {
    /// As `--data-dir`.
    pub data_dir: Option<PathBuf>,
    /// As `--out`.
    pub out: Option<PathBuf>,
    /// As `--workers` (`pucha run`).
    pub workers: Option<usize>,
}

/// `[crawl]`: the crawl budgets and manners, as the census flags.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrawlSection {
    /// As `--rules`: a rule pack (TOML) overriding the built-in values.
    pub rules: Option<PathBuf>,
    /// As `--max-pages`.
    pub max_pages: Option<u32>,
    /// As `--max-depth`.
    pub max_depth: Option<u32>,
    /// As `--max-seconds`.
    pub max_seconds: Option<u64>,
    /// `false` as `--no-politeness` (only for servers you own).
    pub politeness: Option<bool>,
    /// `false` as `--ignore-robots`.
    pub respect_robots: Option<bool>,
    /// As `--user-agent`.
    pub user_agent: Option<String>,
    /// As `--proxy`.
    pub proxy: Option<String>,
}

fn de_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Date(toml::value::Datetime),
        Text(String),
    }
    let text = match Option::<Raw>::deserialize(d)? {
        None => return Ok(None),
        Some(Raw::Date(dt)) => dt.to_string(),
        Some(Raw::Text(s)) => s,
    };
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map(Some)
        .map_err(|_| serde::de::Error::custom(format!("issue_date {text:?} is not YYYY-MM-DD")))
}

impl Config {
    /// Parses a configuration's text; `path` is only for the error.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            detail: e.to_string().trim_end().to_string(),
        })
    }

    /// Reads `path`; a missing file is an error.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Config::parse(&text, path)
    }

    /// The configuration of a command: `--config PATH` (which must exist), else `./pucha.toml`
    /// when it exists, else the defaults.
    pub fn resolve(explicit: Option<&Path>) -> Result<Config, ConfigError> {
        match explicit {
            Some(p) => Config::load(p),
            None if Path::new(DEFAULT_CONFIG).is_file() => Config::load(Path::new(DEFAULT_CONFIG)),
            None => Ok(Config::default()),
        }
    }

    /// Fills the census options a flag left unset from `[crawl]`, and the notice options from
    /// `[notice]`. Flags win: a value given on the command line is kept.
    pub fn apply_census(&self, c: &mut CensusOpts) {
        let k = &self.crawl;
        c.rules = c.rules.take().or_else(|| k.rules.clone());
        c.max_pages = c.max_pages.or(k.max_pages);
        c.max_depth = c.max_depth.or(k.max_depth);
        c.max_seconds = c.max_seconds.or(k.max_seconds);
        c.user_agent = c.user_agent.take().or_else(|| k.user_agent.clone());
        c.proxy = c.proxy.take().or_else(|| k.proxy.clone());
        // The flags can only turn these off; the file can too.
        c.no_politeness |= k.politeness == Some(false);
        c.ignore_robots |= k.respect_robots == Some(false);
        c.notice = self.notice_options(&NoticeFlags::default());
    }

    /// The notice options: each flag when given, else the file's value, else the default.
    pub fn notice_options(&self, flags: &NoticeFlags) -> pucha_report::NoticeOptions {
        let d = pucha_report::NoticeOptions::default();
        let n = &self.notice;
        let pick = |flag: &Option<String>, file: &Option<String>| flag.clone().or(file.clone());
        pucha_report::NoticeOptions {
            issuer: pick(&flags.issuer, &n.issuer).unwrap_or(d.issuer.clone()),
            scope: pick(&flags.scope, &n.scope).unwrap_or(d.scope.clone()),
            doc_number: pick(&flags.doc_number, &n.doc_number),
            recipients: n.recipients.clone().unwrap_or(d.recipients.clone()),
            provincial_basis: pick(&flags.provincial_basis, &n.provincial_basis),
            deadline_days: flags
                .deadline_days
                .or(n.deadline_days)
                .unwrap_or(d.deadline_days),
            issue_date: flags.issue_date.or(n.issue_date),
            contact_person: pick(&flags.contact_person, &n.contact_person),
            contact_phone: pick(&flags.contact_phone, &n.contact_phone),
            region_name: n.region_name.clone(),
            include_other_problems: n.include_other_problems.unwrap_or(d.include_other_problems),
            ..d
        }
    }
}

/// The notice settings given as flags (`pucha report`), each None when not given.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NoticeFlags {
    pub issuer: Option<String>,
    pub scope: Option<String>,
    pub doc_number: Option<String>,
    pub provincial_basis: Option<String>,
    pub deadline_days: Option<u32>,
    pub issue_date: Option<NaiveDate>,
    pub contact_person: Option<String>,
    pub contact_phone: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULL: &str = r#"
[notice]
issuer = "绵阳市政务服务监督管理局"
doc_number = "绵政监函〔2019〕49号"
issue_date = 2019-08-30
contact_phone = "0816-2508459"
contact_person = "张三"
provincial_basis = "《四川省人民政府办公厅关于2019年第二季度全省政府网站与政务新媒体抽查情况的通报》"
region_name = "绵阳市"
scope = "全市"
deadline_days = 10
include_other_problems = false

[run]
data_dir = "/var/lib/pucha"
out = "out/2019q3"
workers = 64

[crawl]
rules = "rules/sichuan.toml"
max_pages = 300
politeness = true
"#;

    fn parse(t: &str) -> Result<Config, ConfigError> {
        Config::parse(t, Path::new("pucha.toml"))
    }

    #[test]
    fn every_section_parses() {
        let c = parse(FULL).unwrap();
        assert_eq!(c.notice.issuer.as_deref(), Some("绵阳市政务服务监督管理局"));
        assert_eq!(c.notice.issue_date, NaiveDate::from_ymd_opt(2019, 8, 30));
        assert_eq!(c.notice.deadline_days, Some(10));
        assert_eq!(c.notice.include_other_problems, Some(false));
        assert_eq!(c.run.data_dir, Some(PathBuf::from("/var/lib/pucha")));
        assert_eq!(c.run.workers, Some(64));
        assert_eq!(c.crawl.max_pages, Some(300));
        assert_eq!(c.crawl.politeness, Some(true));
        // The date may be a string too.
        let c = parse("[notice]\nissue_date = \"2019-09-03\"\n").unwrap();
        assert_eq!(c.notice.issue_date, NaiveDate::from_ymd_opt(2019, 9, 3));
        assert_eq!(parse("").unwrap(), Config::default());
    }

    #[test]
    fn an_unknown_key_is_an_error_naming_it() {
        let e = parse("[notice]\nissuer = \"x\"\nisuer_phone = \"1\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("isuer_phone"), "{e}");
        assert!(e.contains("pucha.toml"), "{e}");
        let e = parse("[crawler]\nmax_pages = 1\n").unwrap_err().to_string();
        assert!(e.contains("crawler"), "{e}");
        let e = parse("[notice]\nissue_date = \"30/08/2019\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("YYYY-MM-DD"), "{e}");
    }

    #[test]
    fn a_flag_wins_over_the_file_and_the_file_over_the_default() {
        let c = parse(FULL).unwrap();
        // No flag: the file.
        let o = c.notice_options(&NoticeFlags::default());
        assert_eq!(o.issuer, "绵阳市政务服务监督管理局");
        assert_eq!(o.deadline_days, 10);
        assert_eq!(o.contact_phone.as_deref(), Some("0816-2508459"));
        assert!(!o.include_other_problems);
        // A flag: the flag.
        let o = c.notice_options(&NoticeFlags {
            issuer: Some("某局".into()),
            deadline_days: Some(5),
            issue_date: NaiveDate::from_ymd_opt(2019, 9, 1),
            ..NoticeFlags::default()
        });
        assert_eq!(o.issuer, "某局");
        assert_eq!(o.deadline_days, 5);
        assert_eq!(o.issue_date, NaiveDate::from_ymd_opt(2019, 9, 1));
        assert_eq!(o.doc_number.as_deref(), Some("绵政监函〔2019〕49号"));
        // Neither: the default.
        let o = Config::default().notice_options(&NoticeFlags::default());
        assert_eq!(o, pucha_report::NoticeOptions::default());
    }

    #[test]
    fn census_flags_win_over_the_crawl_section() {
        use clap::Parser;
        #[derive(Parser)]
        struct T {
            #[command(flatten)]
            c: CensusOpts,
        }
        let cfg = parse("[crawl]\nmax_pages = 300\nmax_depth = 4\npoliteness = false\n").unwrap();
        let mut t = T::parse_from(["t", "--max-pages", "20"]);
        cfg.apply_census(&mut t.c);
        assert_eq!(t.c.max_pages, Some(20));
        assert_eq!(t.c.max_depth, Some(4));
        assert!(t.c.no_politeness);
        let mut t = T::parse_from(["t"]);
        Config::default().apply_census(&mut t.c);
        assert_eq!(t.c.max_pages, None);
        assert!(!t.c.no_politeness);
    }
}
