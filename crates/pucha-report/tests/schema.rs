//! report.json validates against the JSON Schema in docs/report-schema.md.
//!
//! A small validator for the keywords the document uses (type, properties, required, items,
//! enum, minimum, additionalProperties, propertyNames, local $ref); it fails on any other
//! keyword so the schema cannot silently use something unchecked.

use pucha_core::rule_ids as r;
use pucha_report::sample::seed_census;
use serde_json::Value;

fn schema() -> Value {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/report-schema.md"
    ))
    .expect("docs/report-schema.md");
    let start = doc.find("```json\n").expect("a ```json block") + 8;
    let end = start + doc[start..].find("```").expect("closed block");
    serde_json::from_str(&doc[start..end]).expect("schema is valid JSON")
}

fn type_ok(t: &str, v: &Value) -> bool {
    match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        "number" => v.is_number(),
        "integer" => v.is_u64() || v.is_i64(),
        other => panic!("unknown type {other}"),
    }
}

fn validate(root: &Value, s: &Value, v: &Value, path: &str, errs: &mut Vec<String>) {
    let obj = s.as_object().expect("schema object");
    for (k, kv) in obj {
        match k.as_str() {
            "$schema" | "title" | "$defs" | "format" => {}
            "$ref" => {
                let name = kv
                    .as_str()
                    .unwrap()
                    .strip_prefix("#/$defs/")
                    .expect("local ref");
                validate(root, &root["$defs"][name], v, path, errs);
            }
            "type" => {
                let ok = match kv {
                    Value::String(t) => type_ok(t, v),
                    Value::Array(ts) => ts.iter().any(|t| type_ok(t.as_str().unwrap(), v)),
                    _ => panic!("bad type"),
                };
                if !ok {
                    errs.push(format!("{path}: {v} is not {kv}"));
                }
            }
            "enum" => {
                if !kv.as_array().unwrap().contains(v) {
                    errs.push(format!("{path}: {v} not in {kv}"));
                }
            }
            "minimum" => {
                if let Some(n) = v.as_f64() {
                    if n < kv.as_f64().unwrap() {
                        errs.push(format!("{path}: {n} < {kv}"));
                    }
                }
            }
            "required" => {
                if let Some(o) = v.as_object() {
                    for f in kv.as_array().unwrap() {
                        if !o.contains_key(f.as_str().unwrap()) {
                            errs.push(format!("{path}: missing {f}"));
                        }
                    }
                }
            }
            "properties" => {
                if let Some(o) = v.as_object() {
                    for (name, sub) in kv.as_object().unwrap() {
                        if let Some(x) = o.get(name) {
                            validate(root, sub, x, &format!("{path}.{name}"), errs);
                        }
                    }
                }
            }
            "additionalProperties" => {
                if let Some(o) = v.as_object() {
                    let known = obj.get("properties").and_then(Value::as_object);
                    for (name, x) in o {
                        if known.is_some_and(|p| p.contains_key(name)) {
                            continue;
                        }
                        match kv {
                            Value::Bool(false) => errs.push(format!("{path}: unexpected {name}")),
                            Value::Bool(true) => {}
                            sub => validate(root, sub, x, &format!("{path}.{name}"), errs),
                        }
                    }
                }
            }
            "propertyNames" => {
                if let Some(o) = v.as_object() {
                    for name in o.keys() {
                        validate(
                            root,
                            kv,
                            &Value::String(name.clone()),
                            &format!("{path}[key]"),
                            errs,
                        );
                    }
                }
            }
            "items" => {
                if let Some(a) = v.as_array() {
                    for (i, x) in a.iter().enumerate() {
                        validate(root, kv, x, &format!("{path}[{i}]"), errs);
                    }
                }
            }
            other => panic!("schema keyword {other} is not supported by this validator"),
        }
    }
}

fn errors(v: &Value) -> Vec<String> {
    let root = schema();
    let mut errs = Vec::new();
    validate(&root, &root, v, "$", &mut errs);
    errs
}

#[test]
fn serialised_reports_match_the_documented_schema() {
    let mut report = seed_census();
    // Cover the optional shapes too: an errored site, a score, points, every evidence field.
    let site = report.sites[0].site.clone();
    report.sites[0] = pucha_core::SiteResult::error(site, "连接超时", 3);
    report.sites[1].score = Some(72.5);
    let mut f = pucha_report::sample::finding(&report.sites[1].site, r::DED_BROKEN_LINKS_OTHER, 2);
    f.points = Some(1.5);
    f.evidence[0].snippet = Some("片段".into());
    f.evidence[0].column = Some("通知公告".into());
    f.evidence[0].date = chrono::NaiveDate::from_ymd_opt(2019, 9, 1);
    report.sites[1].findings.push(f);
    report.summary = pucha_core::Summary::from_results(&report.sites);

    let v = serde_json::to_value(&report).unwrap();
    let errs = errors(&v);
    assert!(errs.is_empty(), "{errs:#?}");
    assert_eq!(v["summary"]["pass_rate"], serde_json::json!(65.38));
}

#[test]
fn the_validator_rejects_broken_reports() {
    let mut v = serde_json::to_value(seed_census()).unwrap();
    v["sites"][0]["verdict"] = "ok".into();
    v["summary"].as_object_mut().unwrap().remove("pass_rate");
    v["summary"]["by_category"]["county"] = v["summary"]["by_category"]["park"].clone();
    v["sites"][3]["findings"] = serde_json::json!([{ "rule": "x", "count": -1, "evidence": [{}] }]);
    let errs = errors(&v);
    let joined = errs.join("\n");
    for want in [
        "$.sites[0].verdict",
        "$.summary: missing \"pass_rate\"",
        "$.summary.by_category[key]",
        "$.sites[3].findings[0].count",
        "$.sites[3].findings[0].evidence[0]: missing \"url\"",
    ] {
        assert!(
            joined.contains(want),
            "expected an error at {want}:\n{joined}"
        );
    }
}
