//! The notice's own language: problem sentences, problem kinds and small zh-CN helpers.
//!
//! Every renderer (Markdown, HTML, XLSX, CSV) takes its wording from here, so the
//! annex says the same thing in every format.

use pucha_core::rule_ids;
use pucha_core::{Finding, Severity, SiteResult, Verdict};

/// A finding counts as a problem of the site when its rule's threshold was reached.
pub fn is_problem(f: &Finding) -> bool {
    f.triggered
}

/// The site's problems, vetoes first, in rulebook order.
pub fn problems(site: &SiteResult) -> Vec<&Finding> {
    let mut v: Vec<&Finding> = site.findings.iter().filter(|f| is_problem(f)).collect();
    v.sort_by_key(|f| (f.severity, rule_order(&f.rule)));
    v
}

/// The site's single-veto problems (veto.*), one per rule and per sentence: what 突出问题 lists.
pub fn veto_problems(site: &SiteResult) -> Vec<&Finding> {
    dedupe(
        problems(site)
            .into_iter()
            .filter(|f| f.severity == Severity::Veto),
    )
}

/// The site's other problems (deductions and norms), deduplicated the same way: 其他问题.
pub fn other_problems(site: &SiteResult) -> Vec<&Finding> {
    dedupe(
        problems(site)
            .into_iter()
            // Checks beyond the 2019 indicators have their own section, never the notice's.
            .filter(|f| f.severity != Severity::Veto && f.severity != Severity::Extension),
    )
}

/// Keeps the first finding of each rule and drops repeated sentences.
fn dedupe<'a>(it: impl Iterator<Item = &'a Finding>) -> Vec<&'a Finding> {
    let mut rules: Vec<&str> = Vec::new();
    let mut texts: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for f in it {
        let t = finding_sentence(f);
        if rules.contains(&f.rule.as_str()) || texts.contains(&t) {
            continue;
        }
        rules.push(&f.rule);
        texts.push(t);
        out.push(f);
    }
    out
}

/// Position of a rule in the rulebook (unknown rules last).
pub fn rule_order(rule: &str) -> usize {
    rule_ids::ALL
        .iter()
        .position(|r| r.id == rule)
        .unwrap_or(usize::MAX)
}

/// Severity in Chinese, as the detection report groups findings.
pub fn severity_zh(s: Severity) -> &'static str {
    match s {
        Severity::Veto => "单项否决指标",
        Severity::Deduction => "扣分指标",
        Severity::Norm => "规范性要求",
        Severity::Info => "提示信息",
        Severity::Extension => "超出 2019 指标的检查",
    }
}

/// One plain sentence for a finding, with its count: `summary_zh` when the rules wrote one,
/// else built from the rule label and the count. Pending findings are marked 待复核.
pub fn finding_sentence(f: &Finding) -> String {
    let base = if f.summary_zh.trim().is_empty() {
        built_sentence(&f.rule, f.count)
    } else {
        f.summary_zh.trim().to_string()
    };
    let base = tighten(&base);
    if f.needs_review {
        format!("{base}（待复核）")
    } else {
        base
    }
}

/// Drops spaces next to Chinese characters ("空白栏目 7 个" → "空白栏目7个").
fn tighten(s: &str) -> String {
    let c: Vec<char> = s.chars().collect();
    let wide = |i: usize| c.get(i).is_some_and(|ch| !ch.is_ascii());
    (0..c.len())
        .filter(|&i| c[i] != ' ' || !(wide(i + 1) || i > 0 && wide(i - 1)))
        .map(|i| c[i])
        .collect()
}

fn built_sentence(rule: &str, n: u32) -> String {
    use rule_ids::*;
    let label = label_zh(rule);
    let unit = match rule {
        VETO_BLANK_COLUMNS
        | VETO_KEY_COLUMNS_STALE
        | VETO_LONG_TERM_STALE_COLUMNS
        | DED_NEWS_COLUMNS
        | DED_POLICY_DOCS_COLUMN_STALE => "个",
        VETO_CONSULTATION_UNANSWERED => "条",
        VETO_SERIOUS_WORDING_ERROR | DED_MINOR_TYPOS => "处",
        DED_BROKEN_LINKS_HOMEPAGE | DED_BROKEN_LINKS_OTHER => "个",
        VETO_SERVICE_GUIDE_ELEMENTS_MISSING | DED_SERVICE_GUIDE_QUALITY => "项",
        r if r.starts_with("norm.meta.") || r == NORM_UNDATED_ITEM_IS_STALE => {
            return if n > 1 {
                format!("{label}{n}个页面")
            } else {
                label.to_string()
            };
        }
        _ => {
            return if n > 1 {
                format!("{label}{n}处")
            } else {
                label.to_string()
            };
        }
    };
    if n > 0 {
        format!("{label}{n}{unit}")
    } else {
        label.to_string()
    }
}

/// A failing site is 待复核 only when every veto it fails on still awaits a person;
/// one confirmed veto makes it plainly 不合格.
pub fn pending_only(site: &SiteResult) -> bool {
    let v = veto_problems(site);
    site.verdict == Verdict::Fail && !v.is_empty() && v.iter().all(|f| f.needs_review)
}

/// The result column of the annex: the verdict, marked 待复核 when its vetoes all await a person.
pub fn result_label(site: &SiteResult) -> String {
    let pending = if site.verdict == Verdict::Fail {
        pending_only(site)
    } else {
        site.needs_review
    };
    match (site.verdict, pending) {
        (Verdict::Fail, true) => "不合格（待复核）".to_string(),
        (v, true) => format!("{}（有待复核问题）", v.label_zh()),
        (v, false) => v.label_zh().to_string(),
    }
}

/// "发现的突出问题": every single-veto problem in one plain sentence, joined by "；".
pub fn problems_text(site: &SiteResult) -> String {
    if site.verdict == Verdict::Error {
        return "未能完成检测".to_string();
    }
    join_sentences(&veto_problems(site))
}

/// "其他问题": deductions and norms, joined by "；".
pub fn other_problems_text(site: &SiteResult) -> String {
    if site.verdict == Verdict::Error {
        return "—".to_string();
    }
    join_sentences(&other_problems(site))
}

fn join_sentences(fs: &[&Finding]) -> String {
    let v: Vec<String> = fs.iter().map(|f| finding_sentence(f)).collect();
    if v.is_empty() {
        "—".to_string()
    } else {
        v.join("；")
    }
}

/// A kind of problem, as the notice's 二、主要问题 groups them.
#[derive(Debug, Clone, Copy)]
pub struct ProblemKind {
    pub title: &'static str,
    /// What the named sites have, completing "以下网站…".
    pub lead: &'static str,
    pub rules: &'static [&'static str],
}

/// The problem kinds in the order bureaus write them. Rules in no kind fall in 其他问题.
pub static PROBLEM_KINDS: &[ProblemKind] = &[
    ProblemKind {
        title: "内容审核把关不严",
        lead: "存在严重表述错误、文字错误或其他内容安全问题",
        rules: &[
            rule_ids::VETO_SERIOUS_WORDING_ERROR,
            rule_ids::VETO_STATE_SECRET_LEAK,
            rule_ids::VETO_PROHIBITED_CONTENT,
            rule_ids::VETO_FALSIFICATION,
            rule_ids::VETO_NEGATIVE_OPINION,
            rule_ids::DED_MINOR_TYPOS,
        ],
    },
    ProblemKind {
        title: "栏目更新不及时",
        lead: "存在首页或重点栏目长期未更新的问题",
        rules: &[
            rule_ids::VETO_HOMEPAGE_NOT_UPDATED,
            rule_ids::VETO_KEY_COLUMNS_STALE,
            rule_ids::VETO_LONG_TERM_STALE_COLUMNS,
            rule_ids::DED_POLICY_DOCS_COLUMN_STALE,
            rule_ids::DED_NEWS_COLUMNS,
            rule_ids::NORM_UNDATED_ITEM_IS_STALE,
        ],
    },
    ProblemKind {
        title: "空白栏目较多",
        lead: "存在空白栏目",
        rules: &[rule_ids::VETO_BLANK_COLUMNS],
    },
    ProblemKind {
        title: "互动回应不到位",
        lead: "存在留言未按时答复、互动渠道不畅或互动信息未公开的问题",
        rules: &[
            rule_ids::VETO_NO_CONSULTATION_CHANNEL,
            rule_ids::VETO_CONSULTATION_UNANSWERED,
            rule_ids::DED_MESSAGE_PUBLICATION_STALE,
            rule_ids::DED_MESSAGE_FIELDS,
            rule_ids::DED_MESSAGE_STATS,
            rule_ids::DED_SURVEY_FEEDBACK,
            rule_ids::DED_ONLINE_INTERVIEW,
        ],
    },
    ProblemKind {
        title: "办事服务不实用",
        lead: "存在办事服务缺失或办事指南要素不全的问题",
        rules: &[
            rule_ids::VETO_NO_ONLINE_SERVICE,
            rule_ids::VETO_SERVICE_GUIDE_ELEMENTS_MISSING,
            rule_ids::DED_SERVICE_GUIDE_QUALITY,
            rule_ids::DED_SERVICE_STATS_STALE,
        ],
    },
    ProblemKind {
        title: "网站无法访问或链接不可用",
        lead: "存在站点无法访问、安全事件或链接不可用的问题",
        rules: &[
            rule_ids::VETO_SITE_UNREACHABLE,
            rule_ids::VETO_SECURITY_INCIDENT,
            rule_ids::DED_HOMEPAGE_AVAILABILITY,
            rule_ids::DED_BROKEN_LINKS_HOMEPAGE,
            rule_ids::DED_BROKEN_LINKS_OTHER,
        ],
    },
    ProblemKind {
        title: "网站标识及网页标签不规范",
        lead: "存在底部标识、网页标签或域名不规范的问题",
        rules: &[
            rule_ids::NORM_FOOTER_CONAC_BADGE,
            rule_ids::NORM_FOOTER_SITE_ID_CODE,
            rule_ids::NORM_FOOTER_ICP,
            rule_ids::NORM_FOOTER_PSB_RECORD,
            rule_ids::NORM_FOOTER_SPONSOR_CONTACT,
            rule_ids::NORM_FOOTER_SITEMAP,
            rule_ids::NORM_FOOTER_JIUCUO,
            rule_ids::NORM_META_SITE_TAGS,
            rule_ids::NORM_META_COLUMN_TAGS,
            rule_ids::NORM_META_CONTENT_TAGS,
            rule_ids::NORM_META_PUBDATE_FORMAT,
            rule_ids::NORM_META_COLUMNTYPE_VOCAB,
            rule_ids::NORM_META_SITEIDCODE_CONSISTENCY,
            rule_ids::NORM_DOMAIN_GOV_CN,
            rule_ids::NORM_DOMAIN_STRUCTURE,
            rule_ids::DED_DOMAIN_AND_IDENTITY,
            rule_ids::DED_JIUCUO_ENTRY,
            rule_ids::DED_IPV6,
        ],
    },
];

/// The catch-all kind for rules no kind names.
pub static OTHER_KIND: ProblemKind = ProblemKind {
    title: "其他问题",
    lead: "存在其他问题",
    rules: &[],
};

/// The kind a rule belongs to.
pub fn kind_of(rule: &str) -> &'static ProblemKind {
    PROBLEM_KINDS
        .iter()
        .find(|k| k.rules.contains(&rule))
        .unwrap_or(&OTHER_KIND)
}

/// Chinese numeral for small section numbers (1 → 一).
pub fn cn_num(n: usize) -> String {
    const D: [&str; 11] = [
        "零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十",
    ];
    match n {
        0..=10 => D[n].to_string(),
        11..=19 => format!("十{}", D[n - 10]),
        20..=99 if n.is_multiple_of(10) => format!("{}十", D[n / 10]),
        20..=99 => format!("{}十{}", D[n / 10], D[n % 10]),
        _ => n.to_string(),
    }
}

/// A file-name-safe form of a site name (for `sites/<n>-<name>.md`).
pub fn file_safe(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_control() || c.is_whitespace() || "/\\:*?\"<>|".contains(c) {
                '_'
            } else {
                c
            }
        })
        .take(60)
        .collect();
    if s.is_empty() {
        "site".to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(rule: &str, count: u32) -> Finding {
        Finding {
            rule: rule.to_string(),
            count,
            severity: Severity::Veto,
            triggered: true,
            needs_review: false,
            points: None,
            summary_zh: String::new(),
            evidence: Vec::new(),
        }
    }

    #[test]
    fn sentences_carry_counts_and_review_marks() {
        assert_eq!(
            finding_sentence(&finding(rule_ids::VETO_BLANK_COLUMNS, 7)),
            "空白栏目7个"
        );
        let mut f = finding(rule_ids::VETO_SERIOUS_WORDING_ERROR, 2);
        f.needs_review = true;
        assert_eq!(finding_sentence(&f), "严重表述错误2处（待复核）");
        let mut g = finding(rule_ids::NORM_FOOTER_PSB_RECORD, 1);
        g.summary_zh = "网站底部缺少公安机关备案标识".into();
        assert_eq!(finding_sentence(&g), "网站底部缺少公安机关备案标识");
    }

    #[test]
    fn every_rule_has_one_kind_at_most() {
        for r in rule_ids::ALL {
            let n = PROBLEM_KINDS
                .iter()
                .filter(|k| k.rules.contains(&r.id))
                .count();
            assert!(n <= 1, "{} is in {n} kinds", r.id);
        }
    }

    #[test]
    fn chinese_numerals() {
        assert_eq!(cn_num(3), "三");
        assert_eq!(cn_num(12), "十二");
        assert_eq!(cn_num(53), "五十三");
        assert_eq!(cn_num(40), "四十");
    }
}
