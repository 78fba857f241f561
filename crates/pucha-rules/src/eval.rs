//! `evaluate`: every automatic (and partly automatic) rule over one crawled site, then the verdict
//! and, in full_score mode, the score.
//!
//! Each rule is a small function from the crawl, the column model and the context to at most one
//! finding; counts are reported even below the threshold, `triggered` says whether the threshold
//! was reached.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Days, NaiveDate};
use pucha_core::rule_ids as ids;
use pucha_core::{
    Evidence, Finding, LinkKind, LinkOutcome, Message, PageKind, PageRecord, ProbeSample,
    Reachability, ScoringMode, Severity, SiteCrawl, SiteResult, Verdict,
};

use crate::columns::{
    classify, columns_at, home_aliases, homepage, norm_url, page_ok, site_pages, Column,
    ColumnClass,
};
use crate::dates::{days_before, months_before, Window};
use crate::finding::{ev, finding, merge, per_item};
use crate::pack::{BScope, LinkDedupe, RulePack};
use crate::page::{page_findings, wording_findings, Compiled};
use crate::score::score;

/// What a site is evaluated against.
#[derive(Debug, Clone, Copy)]
pub struct EvalContext<'a> {
    /// The check date T (UTC+8 calendar date); every window ends here.
    pub as_of: NaiveDate,
    pub mode: ScoringMode,
    pub pack: &'a RulePack,
    /// Availability samples of the 7 days before `as_of` from the monitor's store (may be empty:
    /// then the crawl's own probes are used, and the finding is provisional).
    pub probes: &'a [ProbeSample],
}

/// Evaluates every automatic rule on a crawled site.
pub fn evaluate(crawl: &SiteCrawl, ctx: &EvalContext) -> SiteResult {
    let pack = ctx.pack;
    let mut findings: Vec<Finding> = Vec::new();
    let availability = availability(crawl, ctx);
    findings.extend(availability);
    findings.extend(crate::security::ipv6(crawl));

    let home = homepage(crawl).filter(|h| page_ok(h));
    let reachable = matches!(crawl.reachability, Reachability::Reachable { .. }) && home.is_some();
    if reachable {
        let c = Compiled::new(pack);
        let cols = columns_at(crawl, pack, ctx.as_of);
        let s = Site {
            crawl,
            ctx,
            cols: &cols,
            home: home.expect("reachable implies a homepage"),
        };
        findings.extend(s.homepage_not_updated());
        findings.extend(s.key_columns());
        findings.extend(s.long_term_stale());
        findings.extend(s.blank_columns());
        findings.extend(s.wording(&c));
        findings.extend(s.consultation());
        findings.extend(s.interaction());
        findings.extend(s.services());
        findings.extend(s.falsification());
        let spam = crate::spam::SpamDict::new(&pack.prohibited);
        findings.extend(s.prohibited_content(&spam));
        findings.extend(s.security_incident(&spam));
        findings.extend(s.broken_links());
        let norms = s.page_norms(&c);
        findings.extend(s.identity(&norms));
        findings.extend(norms);
        findings.extend(s.column_deductions());
        findings.extend(s.policy_interpretation());
        findings.extend(s.overview_info());
        findings.extend(s.function_items());
        findings.extend(s.extensions());
    }
    findings.retain(|f| f.count > 0);
    crate::ext::promote(&mut findings, &pack.extensions);
    findings.sort_by(|a, b| {
        a.severity
            .cmp(&b.severity)
            .then_with(|| b.triggered.cmp(&a.triggered))
            .then_with(|| a.rule.cmp(&b.rule))
    });

    let vetoes: Vec<String> = findings
        .iter()
        .filter(|f| f.severity == Severity::Veto && f.triggered)
        .map(|f| f.rule.clone())
        .collect();
    let needs_review = findings
        .iter()
        .any(|f| f.severity == Severity::Veto && f.triggered && f.needs_review);

    let mut error = None;
    let (verdict, score_value) = if !vetoes.is_empty() {
        (Verdict::Fail, None)
    } else if !reachable {
        error = Some(match &crawl.reachability {
            Reachability::Unreachable { reason } => {
                format!("检测时首页无法访问（{reason}），可用性探测未达否决线，内容无法检查")
            }
            Reachability::Reachable { status } => {
                format!("首页未能取得（HTTP {status}），内容无法检查")
            }
        });
        (Verdict::Error, None)
    } else if ctx.mode == ScoringMode::FullScore {
        let s = score(&mut findings, crawl, pack);
        let v = if s < pack.scoring.fail_below {
            Verdict::Fail
        } else {
            Verdict::Pass
        };
        (v, Some(s))
    } else {
        (Verdict::Pass, None)
    };

    SiteResult {
        site: crawl.site.clone(),
        verdict,
        vetoes,
        score: score_value,
        findings,
        needs_review,
        error,
        crawl: crawl.stats.clone(),
        attempts: 0,
    }
}

/// `veto.site_unreachable` / `ded.homepage_availability` from probe samples.
/// §3.8 step 4: what the monitor's homepage snapshots say of the window starting at `start`.
/// `None` when they do not cover it (no snapshot before the window, or none on the last day
/// before the check date): the dates decide. `Some(None)`: the homepage changed within the
/// window. `Some(Some(detail))`: it did not.
fn snapshot_verdict(ctx: &EvalContext, start: NaiveDate) -> Option<Option<String>> {
    let cst = pucha_core::cst();
    let mut snaps: Vec<(chrono::DateTime<chrono::Utc>, &pucha_core::HomepageContent)> = ctx
        .probes
        .iter()
        .filter_map(|p| p.content.as_ref().map(|c| (p.at, c)))
        .filter(|(at, _)| at.with_timezone(&cst).date_naive() < ctx.as_of)
        .collect();
    snaps.sort_by_key(|(at, _)| *at);
    let day = |at: &chrono::DateTime<chrono::Utc>| at.with_timezone(&cst).date_naive();
    let before = snaps.iter().rposition(|(at, _)| day(at) < start)?;
    let last = snaps.last()?;
    if day(&last.0) < days_before(ctx.as_of, 1) || before + 1 == snaps.len() {
        return None;
    }
    let mut prev = &snaps[before].1.fingerprint;
    for (_, c) in &snaps[before + 1..] {
        if &c.fingerprint != prev {
            return Some(None);
        }
        prev = &c.fingerprint;
    }
    let inside = snaps.len() - before - 1;
    let newest = last
        .1
        .newest
        .map_or_else(|| "无日期".to_string(), |d| d.to_string());
    Some(Some(format!(
        "监测快照 {inside} 次（{} 至 {}），首页所列信息的指纹 {} 未变化；页面最新日期 {newest}",
        day(&snaps[before + 1].0),
        day(&last.0),
        last.1.fingerprint
    )))
}

fn availability(crawl: &SiteCrawl, ctx: &EvalContext) -> Vec<Finding> {
    let a = &ctx.pack.availability;
    let cst = pucha_core::cst();
    let start = days_before(ctx.as_of, a.days);
    let from_monitor: Vec<&ProbeSample> = ctx
        .probes
        .iter()
        .filter(|p| {
            let d = p.at.with_timezone(&cst).date_naive();
            d >= start && d <= ctx.as_of
        })
        .collect();
    let provisional = from_monitor.is_empty();
    let mut samples: Vec<ProbeSample> = if provisional {
        crawl.probes.clone()
    } else {
        from_monitor.into_iter().cloned().collect()
    };
    let mut synthetic = false;
    if samples.is_empty() {
        if let Reachability::Unreachable { reason } = &crawl.reachability {
            samples.push(ProbeSample {
                content: None,
                at: crawl.started_at,
                elapsed_ms: 0,
                status: None,
                failure: Some(pucha_core::ProbeFailure::Other(reason.clone())),
            });
            synthetic = true;
        }
    }
    if samples.is_empty() {
        return Vec::new();
    }
    let failed: Vec<&ProbeSample> = samples
        .iter()
        .filter(|p| !p.ok() || p.elapsed_ms >= a.timeout_ms)
        .collect();
    if failed.is_empty() {
        return Vec::new();
    }
    let total = samples.len();
    let ratio = failed.len() as f64 / total as f64;
    let first = samples.iter().map(|p| p.at).min().expect("non-empty");
    let last = samples.iter().map(|p| p.at).max().expect("non-empty");
    let span_h = (last - first).num_minutes() as f64 / 60.0;
    let enough = total as u64 >= u64::from(a.days) * u64::from(a.min_probes_per_day);
    let basis = if synthetic {
        "无探测记录，仅依据本次抓取时首页无法访问".to_string()
    } else if provisional {
        format!(
            "监测库无近 {} 天探测记录，仅依据抓取期间 {total} 次探测（跨 {span_h:.1} 小时），结论为临时结论",
            a.days
        )
    } else {
        format!("近 {} 天探测 {total} 次（跨 {span_h:.1} 小时）", a.days)
    };
    let evidence: Vec<Evidence> = std::iter::once(ev(
        crawl.site.url.as_str(),
        format!(
            "{basis}；失败 {} 次，失败率 {:.2}%（否决线 {:.0}%）",
            failed.len(),
            ratio * 100.0,
            a.veto_failure_ratio * 100.0
        ),
    ))
    .chain(failed.iter().take(50).map(|p| Evidence {
        date: Some(p.at.with_timezone(&cst).date_naive()),
        ..ev(
            crawl.site.url.as_str(),
            format!(
                "{} 探测失败：{}（{} ms）",
                p.at.with_timezone(&cst).format("%Y-%m-%d %H:%M"),
                p.failure
                    .as_ref()
                    .map(|f| format!("{f:?}"))
                    .unwrap_or_else(|| "超时".into()),
                p.elapsed_ms
            ),
        )
    }))
    .collect();
    let n = failed.len() as u32;
    if ratio >= a.veto_failure_ratio {
        let mut f = finding(
            ids::VETO_SITE_UNREACHABLE,
            n,
            1,
            format!(
                "首页探测 {total} 次失败 {n} 次，失败率 {:.2}%",
                ratio * 100.0
            ),
            evidence,
        );
        f.needs_review = provisional || !enough;
        vec![f]
    } else {
        let mut f = finding(
            ids::DED_HOMEPAGE_AVAILABILITY,
            n,
            1,
            format!(
                "首页探测 {total} 次失败 {n} 次，失败率 {:.2}%{}",
                ratio * 100.0,
                if ratio >= a.warn_failure_ratio {
                    "，已达预警线"
                } else {
                    ""
                }
            ),
            evidence,
        );
        f.needs_review = provisional;
        vec![f]
    }
}

pub(crate) struct Site<'a> {
    pub(crate) crawl: &'a SiteCrawl,
    pub(crate) ctx: &'a EvalContext<'a>,
    pub(crate) cols: &'a [Column],
    pub(crate) home: &'a PageRecord,
}

pub(crate) fn col_ev(c: &Column, detail: String) -> Evidence {
    Evidence {
        column: Some(c.name.clone()),
        date: c.newest,
        target: c.newest_url.clone(),
        ..ev(&c.url, detail)
    }
}

impl Site<'_> {
    pub(crate) fn pack(&self) -> &RulePack {
        self.ctx.pack
    }

    /// The `ext.*` checks beyond the 2019 indicators (see `ext.rs`).
    fn extensions(&self) -> Vec<Finding> {
        let pages: Vec<&PageRecord> = self.ok_pages().collect();
        let cfg = &self.pack().extensions.outdated_names;
        let mut out: Vec<Finding> = crate::ext::personal_info(&pages).into_iter().collect();
        if let Ok(reg) = crate::ext::Register::new(cfg) {
            out.extend(crate::ext::outdated_names(&pages, &reg, cfg));
        }
        out.extend(crate::ext::annual_report(
            &pages,
            &self.home.url,
            self.ctx.as_of,
            &self.pack().extensions.annual_report,
        ));
        out
    }

    pub(crate) fn ok_pages(&self) -> impl Iterator<Item = &PageRecord> {
        site_pages(self.crawl).into_iter()
    }

    fn future_limit(&self) -> NaiveDate {
        self.ctx
            .as_of
            .checked_add_days(Days::new(
                self.pack().falsification.future_tolerance_days.into(),
            ))
            .unwrap_or(self.ctx.as_of)
    }

    pub(crate) fn page_by_url(&self) -> HashMap<String, &PageRecord> {
        let mut m = HashMap::new();
        for p in self.ok_pages() {
            m.insert(norm_url(&p.url), p);
            m.entry(norm_url(&p.final_url)).or_insert(p);
        }
        m
    }

    /// Newest date on a page: its dated items, messages, and the PubDate of content pages it links
    /// to outside navigation and footer.
    fn newest_on(
        &self,
        p: &PageRecord,
        pages: &HashMap<String, &PageRecord>,
    ) -> Option<(NaiveDate, String)> {
        let limit = self.future_limit();
        let mut best: Option<(NaiveDate, String)> = None;
        let mut bump = |d: NaiveDate, u: String| {
            if d <= limit && best.as_ref().is_none_or(|(b, _)| d > *b) {
                best = Some((d, u));
            }
        };
        for it in &p.facts.dated_items {
            bump(
                crate::dates::list_date(it.date, limit),
                it.url.clone().unwrap_or_else(|| it.title.clone()),
            );
        }
        for m in &p.facts.messages {
            if let Some(d) = m.asked {
                bump(d, m.url.clone().unwrap_or_else(|| m.title.clone()));
            }
        }
        for l in &p.facts.links {
            if l.in_nav || l.in_footer || l.tag != pucha_core::LinkTag::A {
                continue;
            }
            let Some(u) = l.url.as_deref().map(norm_url) else {
                continue;
            };
            if let Some(t) = pages.get(&u) {
                if t.facts.kind == PageKind::Content {
                    if let Some(d) = t.facts.published {
                        bump(d, u);
                    }
                }
            }
        }
        best
    }

    /// `veto.homepage_not_updated`, including the navigation-only homepage case.
    fn homepage_not_updated(&self) -> Option<Finding> {
        let cfg = &self.pack().homepage_update;
        let start = days_before(self.ctx.as_of, cfg.window_days);
        if cfg.snapshots {
            if let Some(verdict) = snapshot_verdict(self.ctx, start) {
                return verdict.map(|detail| {
                    finding(
                        ids::VETO_HOMEPAGE_NOT_UPDATED,
                        1,
                        1,
                        format!("首页两周内无更新（监测快照：{} 起内容未变化）", start),
                        vec![ev(&self.home.url, detail)],
                    )
                });
            }
        }
        let pages = self.page_by_url();
        let home_url = norm_url(&self.home.url);
        let newest = self.newest_on(self.home, &pages);
        let nav_only = self.home.facts.dated_items.is_empty() && newest.is_none();
        if let Some((d, _)) = &newest {
            if *d >= start {
                return None;
            }
        }
        if nav_only && cfg.nav_only_fallback {
            let second: Vec<&PageRecord> = self
                .ok_pages()
                .filter(|p| {
                    p.depth == 1 || p.parent.as_deref().map(norm_url).as_deref() == Some(&home_url)
                })
                .filter(|p| norm_url(&p.url) != home_url)
                .collect();
            let best = second
                .iter()
                .filter_map(|p| self.newest_on(p, &pages))
                .max_by_key(|(d, _)| *d);
            if best.as_ref().is_some_and(|(d, _)| *d >= start) {
                return None;
            }
            let detail = match &best {
                Some((d, u)) => format!(
                    "首页仅为导航入口（无带日期信息），{} 个二级页面最新信息日期 {d}（{u}），早于 {start}",
                    second.len()
                ),
                None => format!(
                    "首页仅为导航入口（无带日期信息），{} 个二级页面均无带日期信息",
                    second.len()
                ),
            };
            let e = Evidence {
                date: best.as_ref().map(|(d, _)| *d),
                ..ev(&self.home.url, detail)
            };
            return Some(finding(
                ids::VETO_HOMEPAGE_NOT_UPDATED,
                1,
                1,
                "首页仅为导航页，二级页面超过两周未更新".into(),
                vec![e],
            ));
        }
        let (detail, summary, date) = match &newest {
            Some((d, u)) => (
                format!("首页最新信息日期 {d}（{u}），早于 {start}（两周窗口）"),
                format!(
                    "首页超过两周未更新（最新信息日期 {d}，距检查日 {} 天）",
                    (self.ctx.as_of - *d).num_days()
                ),
                Some(*d),
            ),
            None => (
                "首页未发现带日期的信息（无日期视为未更新）".to_string(),
                "首页无带日期的信息，视为未更新".to_string(),
                None,
            ),
        };
        Some(finding(
            ids::VETO_HOMEPAGE_NOT_UPDATED,
            1,
            1,
            summary,
            vec![Evidence {
                date,
                ..ev(&self.home.url, detail)
            }],
        ))
    }

    pub(crate) fn stale_detail(&self, c: &Column, w: Window) -> String {
        let start = w.start(self.ctx.as_of);
        match c.newest {
            Some(d) => format!(
                "{}（{}），最新信息 {d}，早于 {start}（{}窗口）",
                c.class.label_zh(),
                c.class_reason,
                w.label_zh()
            ),
            None => format!(
                "{}（{}），{} 条信息均无发布日期（无日期视为未更新）",
                c.class.label_zh(),
                c.class_reason,
                c.items
            ),
        }
    }

    pub(crate) fn stale_in(&self, c: &Column, w: Window) -> bool {
        c.judged()
            && c.blank.is_none()
            && !c.needs_script
            && c.newest.is_none_or(|d| d < w.start(self.ctx.as_of))
    }

    /// Group (b) scope of the key-column rule.
    fn in_b_scope(&self, c: &Column) -> bool {
        match self.pack().key_columns.b_scope {
            BScope::All => true,
            BScope::FirstLevelPlusTyped => {
                c.first_level
                    || c.column_type.as_deref().is_some_and(|t| {
                        matches!(
                            classify("", Some(t), "", self.pack()).0,
                            ColumnClass::Notice | ColumnClass::Policy
                        )
                    })
            }
        }
    }

    fn news_stale(&self) -> Vec<&Column> {
        let w = Window::Days(self.pack().key_columns.news_window_days);
        self.cols
            .iter()
            .filter(|c| c.class == ColumnClass::News && self.stale_in(c, w))
            .collect()
    }

    fn notice_policy_stale(&self) -> Vec<&Column> {
        let w = Window::Months(self.pack().key_columns.notice_policy_window_months);
        self.cols
            .iter()
            .filter(|c| matches!(c.class, ColumnClass::Notice | ColumnClass::Policy))
            .filter(|c| self.in_b_scope(c) && self.stale_in(c, w))
            .collect()
    }

    /// `veto.key_columns_stale`: stale news columns (2 weeks) + stale notice/policy columns (6 months).
    fn key_columns(&self) -> Option<Finding> {
        let cfg = &self.pack().key_columns;
        let a = self.news_stale();
        let b = self.notice_policy_stale();
        let n = (a.len() + b.len()) as u32;
        if n == 0 {
            return None;
        }
        let wa = Window::Days(cfg.news_window_days);
        let wb = Window::Months(cfg.notice_policy_window_months);
        let mut parts = Vec::new();
        if !a.is_empty() {
            parts.push(format!(
                "动态要闻类栏目超{}未更新 {} 个",
                wa.label_zh(),
                a.len()
            ));
        }
        if !b.is_empty() {
            parts.push(format!(
                "通知公告、政策文件类栏目超{}未更新 {} 个",
                wb.label_zh(),
                b.len()
            ));
        }
        let evidence = a
            .iter()
            .map(|c| col_ev(c, self.stale_detail(c, wa)))
            .chain(b.iter().map(|c| col_ev(c, self.stale_detail(c, wb))))
            .collect();
        let mut f = finding(
            ids::VETO_KEY_COLUMNS_STALE,
            n,
            cfg.veto_count,
            parts.join("、"),
            evidence,
        );
        f.needs_review |= a.iter().chain(b.iter()).any(|c| !c.confident);
        Some(f)
    }

    /// `veto.long_term_stale_columns`: other should-update columns past their class window.
    fn long_term_stale(&self) -> Option<Finding> {
        let cfg = &self.pack().long_term_stale;
        let mut evidence = Vec::new();
        let mut any_unsure = false;
        for c in self.cols {
            let key_class = matches!(
                c.class,
                ColumnClass::News | ColumnClass::Notice | ColumnClass::Policy
            );
            let long_class = matches!(
                c.class,
                ColumnClass::Interpretation
                    | ColumnClass::Personnel
                    | ColumnClass::Fiscal
                    | ColumnClass::Other
            );
            if !(long_class || key_class && cfg.includes_key_columns) {
                continue;
            }
            let Some(w) = c.class.window(self.pack()) else {
                continue;
            };
            if self.stale_in(c, w) {
                any_unsure |= !c.confident;
                evidence.push(col_ev(c, self.stale_detail(c, w)));
            } else if cfg.includes_blank && c.judged() && c.blank.is_some() {
                evidence.push(col_ev(
                    c,
                    format!("空白栏目（{}）", c.blank.clone().unwrap_or_default()),
                ));
            }
        }
        if evidence.is_empty() {
            return None;
        }
        let n = evidence.len() as u32;
        let mut f = finding(
            ids::VETO_LONG_TERM_STALE_COLUMNS,
            n,
            cfg.veto_count,
            format!("应更新但长期未更新的栏目 {n} 个"),
            evidence,
        );
        f.needs_review |= any_unsure;
        Some(f)
    }

    /// `veto.blank_columns`. A column whose list only a script fills is not counted: it is
    /// listed for review (the finding then needs review), since an empty reading of it is
    /// no evidence of an empty column.
    fn blank_columns(&self) -> Option<Finding> {
        let mut evidence: Vec<Evidence> = self
            .cols
            .iter()
            .filter(|c| c.judged())
            .filter_map(|c| {
                c.blank.as_ref().map(|why| Evidence {
                    column: Some(c.name.clone()),
                    ..ev(&c.url, format!("{}（路径：{}）", why, c.path.join(" > ")))
                })
            })
            .collect();
        let n = evidence.len() as u32;
        let by_script: Vec<Evidence> = self
            .cols
            .iter()
            .filter(|c| c.judged() && c.needs_script)
            .map(|c| Evidence {
                column: Some(c.name.clone()),
                ..ev(
                    &c.url,
                    format!(
                        "列表由脚本加载，页面中未读到信息，待人工复核是否空白（不计入空白栏目；路径：{}）",
                        c.path.join(" > ")
                    ),
                )
            })
            .collect();
        let review = !by_script.is_empty();
        evidence.extend(by_script);
        if evidence.is_empty() {
            return None;
        }
        let summary = if review {
            format!(
                "空白栏目 {n} 个；另有 {} 个栏目列表由脚本加载，待复核",
                evidence.len() as u32 - n
            )
        } else {
            format!("空白栏目 {n} 个")
        };
        let mut f = finding(
            ids::VETO_BLANK_COLUMNS,
            n,
            self.pack().blank_columns.veto_count,
            summary,
            evidence,
        );
        f.needs_review |= review;
        Some(f)
    }

    /// Serious wording errors, counted once per (page, wrong form); a list page repeating a title
    /// already counted on its content page is not counted again.
    fn wording(&self, c: &Compiled) -> Vec<Finding> {
        let mut per_page: Vec<(bool, Vec<Finding>)> = self
            .ok_pages()
            .map(|p| {
                (
                    p.facts.kind == PageKind::Content,
                    wording_findings(&p.facts, &p.url, c),
                )
            })
            .filter(|(_, f)| !f.is_empty())
            .collect();
        per_page.sort_by_key(|(content, _)| !*content);
        let mut seen_forms: BTreeSet<String> = BTreeSet::new();
        let mut out = Vec::new();
        for (content, fs) in per_page {
            for mut f in fs {
                let mut page_forms = BTreeSet::new();
                f.evidence.retain(|e| {
                    let form = e.detail.clone();
                    page_forms.insert(form.clone()) && (content || !seen_forms.contains(&form))
                });
                seen_forms.extend(page_forms);
                f.count = f.evidence.len() as u32;
                out.push(f);
            }
        }
        let mut merged = merge(out);
        for f in &mut merged {
            f.triggered = f.count >= 1;
            f.summary_zh = if f.rule == ids::VETO_SERIOUS_WORDING_ERROR {
                format!("严重表述错误 {} 处", f.count)
            } else {
                format!("一般文字错误 {} 处", f.count)
            };
        }
        merged
    }

    /// The class of the column a page belongs to (by its ColumnName or breadcrumb).
    pub(crate) fn page_class(&self, p: &PageRecord) -> Option<ColumnClass> {
        let name = p
            .facts
            .meta("ColumnName")
            .map(str::to_string)
            .or_else(|| p.facts.breadcrumb.last().cloned())?;
        Some(classify(&name, p.facts.meta("ColumnType"), &p.url, self.pack()).0)
    }

    /// Messages of the site outside excluded columns, merged by URL (or title and date).
    fn messages(&self) -> Vec<(Message, String)> {
        let mut by_key: BTreeMap<String, (Message, String)> = BTreeMap::new();
        for p in self.ok_pages() {
            if p.facts.messages.is_empty()
                || self.page_class(p) == Some(ColumnClass::ExcludedInteraction)
            {
                continue;
            }
            let own_page = p.facts.kind == PageKind::Content && p.facts.messages.len() == 1;
            for m in &p.facts.messages {
                // A single message on a content page is that page's message (its detail page).
                let key = if own_page {
                    norm_url(&p.url)
                } else {
                    m.url
                        .as_deref()
                        .map(norm_url)
                        .unwrap_or_else(|| format!("{}|{:?}", m.title, m.asked))
                };
                match by_key.get_mut(&key) {
                    Some((acc, _)) => {
                        // A list entry (with URL) is more reliable than a detail-page parse.
                        if m.url.is_some() {
                            acc.title = m.title.clone();
                        }
                        acc.asked = acc.asked.or(m.asked);
                        acc.answered = acc.answered.or(m.answered);
                        if m.answered_flag == Some(true) || acc.answered_flag.is_none() {
                            acc.answered_flag = m.answered_flag.or(acc.answered_flag);
                        }
                    }
                    None => {
                        let mut m = m.clone();
                        if own_page {
                            m.url = Some(p.url.clone());
                        }
                        by_key.insert(key, (m, p.url.clone()));
                    }
                }
            }
        }
        // Entries without a URL (homepage lists) duplicate a URL entry with the same title and date.
        let with_url: BTreeSet<(String, Option<NaiveDate>)> = by_key
            .values()
            .filter(|(m, _)| m.url.is_some())
            .map(|(m, _)| (m.title.clone(), m.asked))
            .collect();
        let answered: BTreeSet<(String, Option<NaiveDate>)> = by_key
            .values()
            .filter(|(m, _)| {
                m.url.is_none() && (m.answered.is_some() || m.answered_flag == Some(true))
            })
            .map(|(m, _)| (m.title.clone(), m.asked))
            .collect();
        by_key
            .into_values()
            .filter(|(m, _)| m.url.is_some() || !with_url.contains(&(m.title.clone(), m.asked)))
            .map(|(mut m, p)| {
                if m.answered_flag != Some(true) && answered.contains(&(m.title.clone(), m.asked)) {
                    m.answered_flag = Some(true);
                }
                (m, p)
            })
            .collect()
    }

    pub(crate) fn consultation_columns(&self) -> Vec<&Column> {
        self.cols
            .iter()
            .filter(|c| c.class == ColumnClass::Consultation)
            .collect()
    }

    /// A link whose text names a consultation channel (信访/举报/访谈/征集 excluded).
    pub(crate) fn has_channel_link(&self) -> bool {
        let cfg = &self.pack().consultation;
        self.ok_pages().flat_map(|p| p.facts.links.iter()).any(|l| {
            let t = l.text.trim();
            cfg.channel_keywords.iter().any(|k| t.contains(k.as_str()))
                && !cfg.excluded_keywords.iter().any(|k| t.contains(k.as_str()))
        })
    }

    /// The site has a consultation channel: a consultation column, messages or a channel link.
    pub(crate) fn has_consultation_channel(&self) -> bool {
        !self.consultation_columns().is_empty()
            || !self.messages().is_empty()
            || self.has_channel_link()
    }

    /// `veto.no_consultation_channel`, `veto.consultation_unanswered`, `ded.message_*`.
    fn consultation(&self) -> Vec<Finding> {
        let cfg = &self.pack().consultation;
        let as_of = self.ctx.as_of;
        let messages = self.messages();
        let consult_cols = self.consultation_columns();
        let mut out = Vec::new();

        // Channel.
        if consult_cols.is_empty() && messages.is_empty() && !self.has_channel_link() {
            out.push(finding(
                ids::VETO_NO_CONSULTATION_CHANNEL,
                1,
                1,
                "未发现有效的在线咨询建言渠道".into(),
                vec![ev(
                    &self.home.url,
                    "未发现政务咨询类栏目、留言列表或咨询入口（网上信访、纪检举报不计）",
                )],
            ));
        }

        // Unanswered (and late) messages of the past year.
        let lookback = months_before(as_of, cfg.lookback_months);
        let overdue = months_before(as_of, cfg.max_unanswered_months);
        let mut evidence = Vec::new();
        let mut late = 0;
        for (m, page) in &messages {
            let Some(asked) = m.asked else { continue };
            if asked < lookback || asked > as_of {
                continue;
            }
            let url = m.url.clone().unwrap_or_else(|| page.clone());
            match m.answered {
                None if m.answered_flag != Some(true) && asked < overdue => {
                    evidence.push(Evidence {
                        date: Some(asked),
                        snippet: Some(m.title.clone()),
                        ..ev(
                            &url,
                            format!(
                                "留言时间 {asked}，至 {as_of} 已 {} 天未答复",
                                (as_of - asked).num_days()
                            ),
                        )
                    });
                }
                Some(ans)
                    if cfg.late_reply_counts
                        && asked < months_before(ans, cfg.max_unanswered_months) =>
                {
                    late += 1;
                    evidence.push(Evidence {
                        date: Some(asked),
                        snippet: Some(m.title.clone()),
                        ..ev(
                            &url,
                            format!(
                                "留言时间 {asked}，答复时间 {ans}，超过 {} 个月才答复",
                                cfg.max_unanswered_months
                            ),
                        )
                    });
                }
                _ => {}
            }
        }
        if !evidence.is_empty() {
            let n = evidence.len() as u32;
            let mut summary = format!(
                "政务咨询类栏目存在超过 {} 个月未回复留言 {n} 条",
                cfg.max_unanswered_months
            );
            if late > 0 {
                summary.push_str(&format!("（其中逾期答复 {late} 条）"));
            }
            out.push(finding(
                ids::VETO_CONSULTATION_UNANSWERED,
                n,
                1,
                summary,
                evidence,
            ));
        }

        // Published replies within 2 months.
        if !consult_cols.is_empty() || !messages.is_empty() {
            let start = months_before(as_of, cfg.publication_window_months);
            let newest = messages
                .iter()
                .filter_map(|(m, _)| m.answered)
                .filter(|d| *d <= as_of)
                .max();
            if newest.is_none_or(|d| d < start) {
                let url = consult_cols
                    .first()
                    .map(|c| c.url.clone())
                    .unwrap_or_else(|| self.home.url.clone());
                let detail = match newest {
                    Some(d) => format!("最新公开答复日期 {d}，早于 {start}"),
                    None => "未发现公开的留言答复".to_string(),
                };
                out.push(finding(
                    ids::DED_MESSAGE_PUBLICATION_STALE,
                    1,
                    1,
                    format!("{}个月内未公开留言及答复", cfg.publication_window_months),
                    vec![Evidence {
                        date: newest,
                        ..ev(&url, detail)
                    }],
                ));
            }
        }

        // Fields: 留言时间, and 答复时间 for answered messages.
        let evidence: Vec<Evidence> = messages
            .iter()
            .filter_map(|(m, page)| {
                let url = m.url.clone().unwrap_or_else(|| page.clone());
                let missing = match (m.asked, m.answered, m.answered_flag) {
                    (None, _, _) => "缺少留言时间",
                    (Some(_), None, Some(true)) => "已答复但缺少答复时间",
                    _ => return None,
                };
                Some(Evidence {
                    snippet: Some(m.title.clone()),
                    ..ev(&url, missing)
                })
            })
            .collect();
        out.extend(per_item(ids::DED_MESSAGE_FIELDS, 1, evidence, |n| {
            format!("公开留言缺少留言时间或答复时间 {n} 条")
        }));
        out
    }

    fn no_service_function(&self) -> bool {
        crate::score::no_service_site(self.crawl, self.pack())
    }

    /// `veto.no_online_service`, `veto.service_guide_elements_missing`, `ded.service_guide_quality`.
    fn services(&self) -> Vec<Finding> {
        if self.no_service_function() {
            return Vec::new();
        }
        let cfg = &self.pack().services;
        let mut out = Vec::new();
        let has_col = self.cols.iter().any(|c| c.class == ColumnClass::Service);
        let has_guides = self.ok_pages().any(|p| p.facts.service_guide.is_some());
        let has_link = self.ok_pages().flat_map(|p| p.facts.links.iter()).any(|l| {
            cfg.entry_keywords
                .iter()
                .any(|k| l.text.contains(k.as_str()))
        });
        if !has_col && !has_guides && !has_link {
            out.push(finding(
                ids::VETO_NO_ONLINE_SERVICE,
                1,
                1,
                "未提供办事服务".into(),
                vec![ev(
                    &self.home.url,
                    "未发现办事服务栏目、办事指南或政务服务网入口",
                )],
            ));
        }

        let mut seen = BTreeSet::new();
        let mut quality = Vec::new();
        let mut severe = Vec::new();
        for p in self.ok_pages() {
            let Some(g) = &p.facts.service_guide else {
                continue;
            };
            if !seen.insert(norm_url(&p.url)) {
                continue;
            }
            let missing: Vec<&String> = g
                .missing
                .iter()
                .filter(|m| cfg.key_elements.contains(m))
                .collect();
            if missing.is_empty() {
                continue;
            }
            let item = g
                .item_name
                .clone()
                .or_else(|| p.facts.title.clone())
                .unwrap_or_default();
            let list = missing
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("、");
            let e = Evidence {
                snippet: Some(item.clone()),
                ..ev(&p.url, format!("办事指南「{item}」缺少：{list}"))
            };
            if missing.len() as u32 >= cfg.veto_missing_per_guide {
                severe.push(e.clone());
            }
            quality.push(e);
        }
        out.extend(per_item(
            ids::VETO_SERVICE_GUIDE_ELEMENTS_MISSING,
            cfg.veto_guide_count,
            severe,
            |n| {
                format!(
                    "办事指南缺少 {} 项及以上关键要素 {n} 个",
                    cfg.veto_missing_per_guide
                )
            },
        ));
        out.extend(per_item(ids::DED_SERVICE_GUIDE_QUALITY, 1, quality, |n| {
            format!("办事指南要素缺失 {n} 个")
        }));
        out
    }

    /// `veto.falsification` signals: future dates, and PubDate far later than the URL's date.
    fn falsification(&self) -> Option<Finding> {
        let cfg = &self.pack().falsification;
        let limit = self.future_limit();
        let mut evidence = Vec::new();
        let mut seen = BTreeSet::new();
        for p in self.ok_pages() {
            let url = norm_url(&p.url);
            if let Some(d) = p.facts.published {
                if d > limit && seen.insert(url.clone()) {
                    evidence.push(Evidence {
                        date: Some(d),
                        ..ev(
                            &p.url,
                            format!("发布日期 {d} 晚于检查日 {}", self.ctx.as_of),
                        )
                    });
                    continue;
                }
                if let Some(ud) = crate::dates::date_in_url(&p.url) {
                    if d > ud + Days::new(cfg.url_date_tolerance_days.into())
                        && seen.insert(url.clone())
                    {
                        evidence.push(Evidence {
                            date: Some(d),
                            ..ev(
                                &p.url,
                                format!("发布日期 {d} 比网址中的日期 {ud} 晚 {} 天，疑似旧信息改日期重发", (d - ud).num_days()),
                            )
                        });
                    }
                }
            }
            if !cfg.list_dates_count {
                continue;
            }
            for it in &p.facts.dated_items {
                let key = it
                    .url
                    .as_deref()
                    .map(norm_url)
                    .unwrap_or_else(|| it.title.clone());
                let date = crate::dates::list_date(it.date, limit);
                if date > limit && seen.insert(key.clone()) {
                    evidence.push(Evidence {
                        date: Some(date),
                        snippet: Some(it.title.clone()),
                        ..ev(
                            &p.url,
                            format!("列表日期 {date} 晚于检查日 {}", self.ctx.as_of),
                        )
                    });
                }
            }
        }
        if evidence.is_empty() {
            return None;
        }
        let n = evidence.len() as u32;
        Some(finding(
            ids::VETO_FALSIFICATION,
            n,
            1,
            format!("疑似篡改发布时间 {n} 处"),
            evidence,
        ))
    }

    /// `ded.broken_links_homepage` / `ded.broken_links_other`. Blocked and NotChecked never count.
    fn broken_links(&self) -> Vec<Finding> {
        let cfg = &self.pack().links;
        let home_keys = home_aliases(self.crawl);
        let answered: BTreeSet<String> = self
            .crawl
            .links
            .iter()
            .filter(|l| matches!(l.outcome, LinkOutcome::Ok { .. }))
            .map(|l| norm_url(&l.target))
            .chain(
                self.ok_pages()
                    .flat_map(|p| [norm_url(&p.url), norm_url(&p.final_url)]),
            )
            .collect();
        let mut home: BTreeMap<String, Evidence> = BTreeMap::new();
        let mut other: BTreeMap<String, Evidence> = BTreeMap::new();
        let mut on_home_targets = BTreeSet::new();
        let broken: Vec<_> = self
            .crawl
            .links
            .iter()
            .filter_map(|l| match &l.outcome {
                LinkOutcome::Broken { reason } => Some((l, reason)),
                _ => None,
            })
            .filter(|(l, _)| cfg.count_external || l.kind != LinkKind::External)
            // A target that answered during the check (another link check, or a fetched page) had
            // a transient failure, not a dead link.
            .filter(|(l, _)| !answered.contains(&norm_url(&l.target)))
            .collect();
        for (l, _) in &broken {
            if home_keys.contains(&norm_url(&l.page)) {
                on_home_targets.insert(norm_url(&l.target));
            }
        }
        for (l, reason) in broken {
            let target = norm_url(&l.target);
            let is_home = home_keys.contains(&norm_url(&l.page));
            // The homepage under any alias is one page.
            let page = if is_home {
                "home".to_string()
            } else {
                norm_url(&l.page)
            };
            let key = match cfg.dedupe {
                LinkDedupe::PerPage => format!("{page} {target}"),
                LinkDedupe::PerTarget => target.clone(),
            };
            if cfg.dedupe == LinkDedupe::PerTarget && !is_home && on_home_targets.contains(&target)
            {
                continue;
            }
            let e = Evidence {
                target: Some(l.target.to_string()),
                snippet: (!l.text.is_empty()).then(|| l.text.to_string()),
                ..ev(
                    &l.page,
                    format!(
                        "{}链接不可用：{}",
                        if l.kind == LinkKind::External {
                            "外部"
                        } else {
                            ""
                        },
                        reason.label_zh()
                    ),
                )
            };
            if is_home { &mut home } else { &mut other }
                .entry(key)
                .or_insert(e);
        }
        let mut out = Vec::new();
        for (rule, map, what) in [
            (ids::DED_BROKEN_LINKS_HOMEPAGE, home, "首页"),
            (ids::DED_BROKEN_LINKS_OTHER, other, "其他页面"),
        ] {
            if map.is_empty() {
                continue;
            }
            let n = map.len() as u32;
            out.push(finding(
                rule,
                n,
                1,
                format!("{what}不可用链接 {n} 个"),
                map.into_values().collect(),
            ));
        }
        out
    }

    /// Page-level norms of every page, merged per rule.
    fn page_norms(&self, c: &Compiled) -> Vec<Finding> {
        let home_url = norm_url(&self.home.url);
        let mut all = Vec::new();
        for p in self.ok_pages() {
            let Ok(u) = url::Url::parse(&p.final_url).or_else(|_| url::Url::parse(&p.url)) else {
                continue;
            };
            let is_home = norm_url(&p.url) == home_url;
            all.extend(page_findings(&p.facts, &u, self.pack(), c, is_home));
        }
        // A footer on every page differing from the meta would repeat: count distinct mismatches.
        let mut merged = merge(all);
        for f in &mut merged {
            if f.rule == ids::NORM_META_SITEIDCODE_CONSISTENCY {
                let mut seen = BTreeSet::new();
                f.evidence.retain(|e| seen.insert(e.detail.clone()));
                f.count = f.evidence.len() as u32;
            }
            if !f.rule.starts_with("norm.footer.") {
                f.summary_zh = norm_summary(&f.rule, f.count);
            }
        }
        let host = self
            .crawl
            .site
            .url
            .host_str()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let ok = self
            .pack()
            .domain
            .suffixes
            .iter()
            .any(|s| host.ends_with(s.as_str()));
        if !ok {
            let is_ip = host.parse::<std::net::IpAddr>().is_ok()
                || host
                    .trim_matches(['[', ']'])
                    .parse::<std::net::IpAddr>()
                    .is_ok();
            merged.push(finding(
                ids::NORM_DOMAIN_GOV_CN,
                1,
                1,
                "网站域名不以 .gov.cn 结尾".into(),
                vec![ev(
                    self.crawl.site.url.as_str(),
                    if is_ip {
                        format!("站点以 IP 地址 {host} 访问，不是 .gov.cn 域名（测试环境常见；规范项，不否决）")
                    } else {
                        format!("域名 {host} 不以 .gov.cn 或 .政务 结尾")
                    },
                )],
            ));
        }
        merged
    }

    /// `ded.domain_and_identity` and `ded.jiucuo_entry`, derived from the norms.
    fn identity(&self, norms: &[Finding]) -> Vec<Finding> {
        let identity_rules = [
            ids::NORM_DOMAIN_GOV_CN,
            ids::NORM_FOOTER_CONAC_BADGE,
            ids::NORM_FOOTER_SITE_ID_CODE,
            ids::NORM_FOOTER_ICP,
            ids::NORM_FOOTER_PSB_RECORD,
            ids::NORM_FOOTER_SPONSOR_CONTACT,
        ];
        let mut out = Vec::new();
        let idf: Vec<&Finding> = norms
            .iter()
            .filter(|f| identity_rules.contains(&f.rule.as_str()))
            .collect();
        if !idf.is_empty() {
            let n = idf.iter().map(|f| f.count).sum();
            let evidence = idf
                .iter()
                .map(|f| ev(&self.home.url, format!("{}（{}）", f.summary_zh, f.rule)))
                .collect();
            out.push(finding(
                ids::DED_DOMAIN_AND_IDENTITY,
                n,
                1,
                format!("域名或网站标识不规范 {n} 处"),
                evidence,
            ));
        }
        if let Some(j) = norms.iter().find(|f| f.rule == ids::NORM_FOOTER_JIUCUO) {
            out.push(finding(
                ids::DED_JIUCUO_ENTRY,
                j.count,
                1,
                j.summary_zh.clone(),
                j.evidence.clone(),
            ));
        }
        out
    }

    /// Column-based deductions: policy docs, news, service statistics.
    fn column_deductions(&self) -> Vec<Finding> {
        let pack = self.pack();
        let mut out = Vec::new();
        let w6 = Window::Months(pack.key_columns.notice_policy_window_months);
        let policy: Vec<Evidence> = self
            .cols
            .iter()
            .filter(|c| {
                c.class == ColumnClass::Policy && self.in_b_scope(c) && self.stale_in(c, w6)
            })
            .map(|c| col_ev(c, self.stale_detail(c, w6)))
            .collect();
        out.extend(per_item(
            ids::DED_POLICY_DOCS_COLUMN_STALE,
            1,
            policy,
            |n| format!("政策文件栏目超六个月未更新 {n} 个"),
        ));
        let w14 = Window::Days(pack.key_columns.news_window_days);
        let news: Vec<Evidence> = self
            .news_stale()
            .into_iter()
            .map(|c| col_ev(c, self.stale_detail(c, w14)))
            .collect();
        out.extend(per_item(ids::DED_NEWS_COLUMNS, 1, news, |n| {
            format!("动态要闻类栏目超两周未更新 {n} 个")
        }));
        if let Some(w) = ColumnClass::ServiceStats.window(pack) {
            let stats: Vec<Evidence> = self
                .cols
                .iter()
                .filter(|c| c.class == ColumnClass::ServiceStats && c.judged())
                .filter(|c| c.blank.is_some() || self.stale_in(c, w))
                .map(|c| col_ev(c, self.stale_detail(c, w)))
                .collect();
            if !stats.is_empty() && !self.no_service_function() {
                let n = stats.len() as u32;
                out.push(finding(
                    ids::DED_SERVICE_STATS_STALE,
                    n,
                    1,
                    format!("办事统计数据超{}未更新", w.label_zh()),
                    stats,
                ));
            }
        }
        out
    }

    /// `ded.search_function`.
    fn function_items(&self) -> Vec<Finding> {
        let mut out = Vec::new();
        if !self.ok_pages().any(|p| p.facts.has_search) {
            out.push(finding(
                ids::DED_SEARCH_FUNCTION,
                1,
                1,
                "未提供站内搜索".into(),
                vec![ev(&self.home.url, "各页面均未发现站内搜索框或搜索入口")],
            ));
        }
        out
    }
}

/// Summary sentences of merged page norms.
fn norm_summary(rule: &str, n: u32) -> String {
    match rule {
        ids::NORM_META_SITE_TAGS => format!("页面网站标签缺失或错误 {n} 处"),
        ids::NORM_META_COLUMN_TAGS => format!("栏目页、内容页缺少栏目标签 {n} 处"),
        ids::NORM_META_CONTENT_TAGS => format!("内容页缺少内容页面标签 {n} 处"),
        ids::NORM_META_PUBDATE_FORMAT => format!("PubDate 标签格式不规范 {n} 处"),
        ids::NORM_META_COLUMNTYPE_VOCAB => format!("ColumnType 标签取值不规范 {n} 处"),
        ids::NORM_META_SITEIDCODE_CONSISTENCY => format!("网站标识码前后不一致 {n} 处"),
        _ => crate::finding::default_summary(rule, n),
    }
}
