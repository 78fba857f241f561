//! The rule ids of `shared/spec/indicators.md`, with their category and a short Chinese label.
//!
//! Every finding names one of these ids; reports use the labels.

use crate::result::Severity;

/// How far a rule is automatic (indicators §0 `auto`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auto {
    Yes,
    Partly,
    No,
}

/// A rule of the rulebook.
#[derive(Debug, Clone, Copy)]
pub struct RuleInfo {
    pub id: &'static str,
    pub severity: Severity,
    pub auto: Auto,
    /// Short Chinese name, as notices write it.
    pub label_zh: &'static str,
}

macro_rules! rules {
    ($( $konst:ident = $id:literal, $sev:ident, $auto:ident, $label:literal; )*) => {
        $( pub const $konst: &str = $id; )*
        /// Every rule of the rulebook, in spec order.
        pub const ALL: &[RuleInfo] = &[
            $( RuleInfo { id: $id, severity: Severity::$sev, auto: Auto::$auto, label_zh: $label }, )*
        ];
    };
}

rules! {
    VETO_SERIOUS_WORDING_ERROR = "veto.serious_wording_error", Veto, Partly, "严重表述错误";
    VETO_STATE_SECRET_LEAK = "veto.state_secret_leak", Veto, No, "泄露国家秘密";
    VETO_PROHIBITED_CONTENT = "veto.prohibited_content", Veto, Partly, "发布或链接反动、暴力、色情等内容";
    VETO_SECURITY_INCIDENT = "veto.security_incident", Veto, Partly, "被攻击篡改未及时处置";
    VETO_FALSIFICATION = "veto.falsification", Veto, Partly, "弄虚作假（如篡改发布时间）";
    VETO_NEGATIVE_OPINION = "veto.negative_opinion", Veto, No, "造成严重负面舆情";
    VETO_SITE_UNREACHABLE = "veto.site_unreachable", Veto, Yes, "站点无法访问";
    VETO_HOMEPAGE_NOT_UPDATED = "veto.homepage_not_updated", Veto, Yes, "首页不更新";
    VETO_KEY_COLUMNS_STALE = "veto.key_columns_stale", Veto, Yes, "动态要闻类、通知公告及政策文件类栏目不更新";
    VETO_LONG_TERM_STALE_COLUMNS = "veto.long_term_stale_columns", Veto, Partly, "应更新但长期未更新的栏目";
    VETO_BLANK_COLUMNS = "veto.blank_columns", Veto, Yes, "空白栏目";
    VETO_NO_CONSULTATION_CHANNEL = "veto.no_consultation_channel", Veto, Partly, "无有效的在线咨询建言渠道";
    VETO_CONSULTATION_UNANSWERED = "veto.consultation_unanswered", Veto, Partly, "政务咨询类栏目留言超过3个月未回复";
    VETO_NO_ONLINE_SERVICE = "veto.no_online_service", Veto, Partly, "未提供办事服务";
    VETO_SERVICE_GUIDE_ELEMENTS_MISSING = "veto.service_guide_elements_missing", Veto, Partly, "办事指南要素缺失";
    DED_HOMEPAGE_AVAILABILITY = "ded.homepage_availability", Deduction, Yes, "首页可用性";
    DED_BROKEN_LINKS_HOMEPAGE = "ded.broken_links_homepage", Deduction, Yes, "首页链接不可用";
    DED_BROKEN_LINKS_OTHER = "ded.broken_links_other", Deduction, Yes, "其他页面链接不可用";
    DED_POLICY_DOCS_COLUMN_STALE = "ded.policy_docs_column_stale", Deduction, Yes, "政策文件栏目6个月未更新";
    DED_NEWS_COLUMNS = "ded.news_columns", Deduction, Yes, "动态要闻更新不及时";
    DED_OVERVIEW_INFO = "ded.overview_info", Deduction, Partly, "概况信息、机构职能、负责人信息缺失或不完整";
    DED_POLICY_INTERPRETATION = "ded.policy_interpretation", Deduction, Partly, "政策解读缺失、未更新或未关联政策文件";
    DED_SERVICE_GUIDE_QUALITY = "ded.service_guide_quality", Deduction, Partly, "办事指南要素不全";
    DED_SERVICE_STATS_STALE = "ded.service_stats_stale", Deduction, Yes, "办事统计数据3个月未更新";
    DED_MESSAGE_PUBLICATION_STALE = "ded.message_publication_stale", Deduction, Yes, "2个月内未公开留言及答复";
    DED_MESSAGE_FIELDS = "ded.message_fields", Deduction, Yes, "公开留言缺少留言时间或答复时间";
    DED_MESSAGE_STATS = "ded.message_stats", Deduction, Partly, "未公开留言受理反馈统计";
    DED_SURVEY_FEEDBACK = "ded.survey_feedback", Deduction, Partly, "征集调查未公开结果反馈";
    DED_ONLINE_INTERVIEW = "ded.online_interview", Deduction, Partly, "在线访谈未开展或未维护";
    DED_SEARCH_FUNCTION = "ded.search_function", Deduction, Partly, "站内搜索缺失";
    DED_IPV6 = "ded.ipv6", Deduction, Yes, "不支持IPv6访问";
    DED_DOMAIN_AND_IDENTITY = "ded.domain_and_identity", Deduction, Yes, "域名或网站标识不规范";
    DED_JIUCUO_ENTRY = "ded.jiucuo_entry", Deduction, Yes, "我为政府网站找错入口缺失或不规范";
    DED_MINOR_TYPOS = "ded.minor_typos", Deduction, Partly, "一般文字错误";
    NORM_UNDATED_ITEM_IS_STALE = "norm.undated_item_is_stale", Norm, Yes, "无发布日期的信息视为未更新";
    NORM_META_SITE_TAGS = "norm.meta.site_tags", Norm, Yes, "缺少网站标签";
    NORM_META_COLUMN_TAGS = "norm.meta.column_tags", Norm, Yes, "缺少栏目标签";
    NORM_META_CONTENT_TAGS = "norm.meta.content_tags", Norm, Yes, "缺少内容页面标签";
    NORM_META_PUBDATE_FORMAT = "norm.meta.pubdate_format", Norm, Yes, "PubDate 格式不规范";
    NORM_META_COLUMNTYPE_VOCAB = "norm.meta.columntype_vocab", Norm, Yes, "ColumnType 取值不规范";
    NORM_META_SITEIDCODE_CONSISTENCY = "norm.meta.siteidcode_consistency", Norm, Yes, "网站标识码前后不一致";
    NORM_FOOTER_CONAC_BADGE = "norm.footer.conac_badge", Norm, Yes, "网站底部缺少党政机关网站标识";
    NORM_FOOTER_SITE_ID_CODE = "norm.footer.site_id_code", Norm, Yes, "网站底部缺少政府网站标识码";
    NORM_FOOTER_ICP = "norm.footer.icp", Norm, Yes, "网站底部缺少ICP备案编号";
    NORM_FOOTER_PSB_RECORD = "norm.footer.psb_record", Norm, Yes, "网站底部缺少公安机关备案标识";
    NORM_FOOTER_SPONSOR_CONTACT = "norm.footer.sponsor_contact", Norm, Partly, "网站底部缺少主办单位或联系方式";
    NORM_FOOTER_SITEMAP = "norm.footer.sitemap", Norm, Yes, "网站底部缺少网站地图";
    NORM_FOOTER_JIUCUO = "norm.footer.jiucuo", Norm, Yes, "网站底部缺少“我为政府网站找错”入口";
    NORM_DOMAIN_GOV_CN = "norm.domain.gov_cn", Norm, Yes, "域名不以 .gov.cn 结尾";
    NORM_DOMAIN_STRUCTURE = "norm.domain.structure", Norm, Partly, "域名结构不规范";
    NORM_DOCS_VALIDITY_MARKING = "norm.docs.validity_marking", Norm, Partly, "失效文件未标注";
    NORM_MAP_STANDARD_MAP = "norm.map.standard_map", Norm, No, "地图未使用标准地图";
    EXT_PERSONAL_INFO_EXPOSED = "ext.personal_info_exposed", Extension, Partly, "公开页面暴露个人信息（身份证号、手机号、银行卡号）";
    EXT_OUTDATED_INSTITUTION_NAME = "ext.outdated_institution_name", Extension, Partly, "使用机构改革前的旧机构名称";
    EXT_ANNUAL_REPORT_MISSING = "ext.annual_report_missing", Extension, Partly, "未发布上一年度政府网站工作年度报表";
}

/// Looks a rule up by id.
pub fn info(id: &str) -> Option<&'static RuleInfo> {
    ALL.iter().find(|r| r.id == id)
}

/// The Chinese label of a rule id (the id itself when unknown).
pub fn label_zh(id: &str) -> &str {
    info(id).map(|r| r.label_zh).unwrap_or(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ext_rules_are_of_the_extension_class() {
        let ext: Vec<&RuleInfo> = ALL.iter().filter(|r| r.id.starts_with("ext.")).collect();
        assert_eq!(ext.len(), 3);
        for r in &ext {
            assert_eq!(r.severity, Severity::Extension, "{}", r.id);
        }
        // Only ext rules are extensions: the 2019 indicators keep their classes.
        assert!(ALL
            .iter()
            .filter(|r| r.severity == Severity::Extension)
            .all(|r| r.id.starts_with("ext.")));
        assert_eq!(
            serde_json::to_string(&Severity::Extension).unwrap(),
            "\"extension\""
        );
    }
}
