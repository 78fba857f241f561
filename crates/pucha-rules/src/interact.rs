//! Interaction deductions beyond the message rules (indicators §4 互动交流): message-handling
//! statistics (`ded.message_stats`), survey result feedback (`ded.survey_feedback`) and online
//! interviews (`ded.online_interview`). All three are `auto = partly`: keyword evidence a person
//! confirms.

use pucha_core::rule_ids as ids;
use pucha_core::{Evidence, Finding, LinkTag, PageKind};

use crate::columns::{norm_url, Column, ColumnClass};
use crate::dates::months_before;
use crate::eval::{col_ev, Site};
use crate::finding::{ev, finding, per_item};

fn has_any(text: &str, words: &[String]) -> bool {
    words
        .iter()
        .any(|w| !w.is_empty() && text.contains(w.as_str()))
}

impl Site<'_> {
    pub(crate) fn interaction(&self) -> Vec<Finding> {
        let mut out = Vec::new();
        out.extend(self.message_stats());
        out.extend(self.survey_feedback());
        out.extend(self.online_interview());
        out
    }

    /// Titles and link texts of a column's items: its list titles, and the texts of links from its
    /// list pages (outside navigation and footer) to content pages or leaving the site.
    pub(crate) fn column_item_texts(&self, c: &Column) -> Vec<(String, String)> {
        let pages = self.page_by_url();
        let mut out: Vec<(String, String)> = Vec::new();
        for u in &c.pages {
            let Some(p) = pages.get(u) else { continue };
            for it in &p.facts.dated_items {
                out.push((
                    it.title.clone(),
                    it.url.clone().unwrap_or_else(|| p.url.clone()),
                ));
            }
            for l in &p.facts.links {
                if l.in_nav || l.in_footer || l.is_more || l.tag != LinkTag::A {
                    continue;
                }
                let Some(t) = l.url.as_deref() else { continue };
                let content = pages
                    .get(&norm_url(t))
                    .is_some_and(|x| x.facts.kind == PageKind::Content);
                if content && !l.text.trim().is_empty() {
                    out.push((l.text.trim().to_string(), t.to_string()));
                }
            }
        }
        out
    }

    fn named(&self, c: &Column, words: &[String]) -> bool {
        has_any(&c.name, words) || c.column_type.as_deref().is_some_and(|t| has_any(t, words))
    }

    /// `ded.message_stats`: a site with a consultation channel publishes no message-handling
    /// statistics. Found: a link, list title or page title with a statistics word, on a page of a
    /// consultation column or next to a message word.
    fn message_stats(&self) -> Option<Finding> {
        let cfg = &self.pack().interaction;
        if !self.has_consultation_channel() {
            return None;
        }
        let is_stats = |t: &str, consult_page: bool| {
            has_any(t, &cfg.stats_keywords) && (consult_page || has_any(t, &cfg.stats_context))
        };
        for p in self.ok_pages() {
            let consult_page = self.page_class(p) == Some(ColumnClass::Consultation);
            let own = [p.facts.title.as_deref(), p.facts.meta("ArticleTitle")];
            if own.iter().flatten().any(|t| is_stats(t, consult_page)) {
                return None;
            }
            if p.facts
                .dated_items
                .iter()
                .any(|i| is_stats(&i.title, consult_page))
            {
                return None;
            }
            if p.facts
                .links
                .iter()
                .any(|l| !l.in_footer && is_stats(l.text.trim(), consult_page && !l.in_nav))
            {
                return None;
            }
        }
        let consult = self.consultation_columns();
        let names: Vec<&str> = consult.iter().map(|c| c.name.as_str()).collect();
        let url = consult
            .first()
            .map(|c| c.url.clone())
            .unwrap_or_else(|| self.home.url.clone());
        let detail = if names.is_empty() {
            "网站提供咨询渠道，但未发现留言受理反馈情况统计（统计、数据公开等）".to_string()
        } else {
            format!(
                "互动交流栏目（{}）及全站链接、列表中未发现留言受理反馈情况统计（统计、数据公开等）",
                names.join("、")
            )
        };
        Some(finding(
            ids::DED_MESSAGE_STATS,
            1,
            1,
            "未公开留言受理反馈情况统计数据".into(),
            vec![Evidence {
                column: names.first().map(|n| n.to_string()),
                ..ev(&url, detail)
            }],
        ))
    }

    /// `ded.survey_feedback`: 征集调查 columns listing surveys but no result or feedback.
    fn survey_feedback(&self) -> Option<Finding> {
        let cfg = &self.pack().interaction;
        let surveys: Vec<&Column> = self
            .cols
            .iter()
            .filter(|c| c.class == ColumnClass::ExcludedInteraction && c.judged())
            .filter(|c| self.named(c, &cfg.survey_names))
            .collect();
        if surveys.is_empty() {
            return None;
        }
        // A column of its own for the results (征集结果, 调查结果反馈) answers for every survey column.
        let result_column = self.cols.iter().find(|c| {
            has_any(&c.name, &cfg.feedback_keywords)
                && (c.name.contains("征集") || c.name.contains("调查"))
        });
        if result_column.is_some() {
            return None;
        }
        let evidence: Vec<Evidence> = surveys
            .into_iter()
            .filter_map(|c| {
                let items = self.column_item_texts(c);
                if items.is_empty() {
                    // Nothing held (a blank column is reported as blank).
                    return None;
                }
                if items
                    .iter()
                    .any(|(t, _)| has_any(t, &cfg.feedback_keywords))
                {
                    return None;
                }
                let sample = items
                    .iter()
                    .take(3)
                    .map(|(t, _)| format!("「{t}」"))
                    .collect::<Vec<_>>()
                    .join("、");
                Some(Evidence {
                    snippet: Some(sample),
                    ..col_ev(
                        c,
                        format!(
                            "征集调查栏目「{}」列出 {} 条征集/调查，未见结果或反馈（{}）",
                            c.name,
                            items.len(),
                            cfg.feedback_keywords.join("、")
                        ),
                    )
                })
            })
            .collect();
        per_item(ids::DED_SURVEY_FEEDBACK, 1, evidence, |n| {
            format!("征集调查栏目未公开结果反馈 {n} 个")
        })
    }

    /// `ded.online_interview`: no 在线访谈 column or entry, or the column's newest interview is
    /// older than `interaction.interview_window_months`.
    fn online_interview(&self) -> Option<Finding> {
        let cfg = &self.pack().interaction;
        let cols: Vec<&Column> = self
            .cols
            .iter()
            .filter(|c| c.class == ColumnClass::ExcludedInteraction && c.judged())
            .filter(|c| self.named(c, &cfg.interview_names))
            .collect();
        if cols.is_empty() {
            let entry = self
                .ok_pages()
                .flat_map(|p| p.facts.links.iter())
                .any(|l| !l.in_footer && has_any(&l.text, &cfg.interview_names));
            if entry {
                // An entry to a system the crawl did not judge: present, age unknown.
                return None;
            }
            return Some(finding(
                ids::DED_ONLINE_INTERVIEW,
                1,
                1,
                "未开设在线访谈栏目".into(),
                vec![ev(&self.home.url, "未发现在线访谈栏目或入口")],
            ));
        }
        let start = months_before(self.ctx.as_of, cfg.interview_window_months);
        if cols.iter().any(|c| c.newest.is_some_and(|d| d >= start)) {
            return None;
        }
        let evidence: Vec<Evidence> = cols
            .iter()
            .map(|c| {
                let detail = match c.newest {
                    Some(d) => format!(
                        "在线访谈栏目「{}」最新一期 {d}，早于 {start}（{} 个月窗口）",
                        c.name, cfg.interview_window_months
                    ),
                    None => format!("在线访谈栏目「{}」无带日期的访谈", c.name),
                };
                col_ev(c, detail)
            })
            .collect();
        Some(finding(
            ids::DED_ONLINE_INTERVIEW,
            1,
            1,
            format!("在线访谈超过 {} 个月未开展", cfg.interview_window_months),
            evidence,
        ))
    }
}
