//! The deploy files are checked, not just written:
//! - the alert rules and Prometheus configs pass `promtool` (and the rule unit tests);
//! - every metric the dashboard and the alerts query is one pucha exports, taken from a real
//!   scrape of `pucha_metrics::serve`, and label values stay within the closed sets;
//! - compose, the Kubernetes manifests and the systemd units parse and call existing
//!   subcommands with existing flags, matching ports and environment variables that the
//!   binary reads.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_yaml::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn deploy(p: &str) -> PathBuf {
    root().join("deploy").join(p)
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
}

fn yaml_docs(p: &Path) -> Vec<Value> {
    let text = read(p);
    serde_yaml::Deserializer::from_str(&text)
        .map(|d| {
            Value::deserialize(d).unwrap_or_else(|e| panic!("{} is not YAML: {e}", p.display()))
        })
        .filter(|v| !v.is_null())
        .collect()
}

use serde::Deserialize;

// ---------------------------------------------------------------------------------------
// promtool

fn promtool() -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("promtool"))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        if std::env::var("PUCHA_SKIP_PROMTOOL").as_deref() == Ok("1") {
            eprintln!("skipped: promtool not installed and PUCHA_SKIP_PROMTOOL=1");
        } else {
            panic!(
                "promtool is needed to check deploy/prometheus; install it with \
                 `apt-get install -y prometheus` (Debian ships promtool in it), \
                 or set PUCHA_SKIP_PROMTOOL=1 to skip"
            );
        }
    }
    found
}

fn run_ok(cmd: &mut Command) -> String {
    let out = cmd.output().expect("run promtool");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{cmd:?} failed:\n{text}");
    text
}

#[test]
fn alert_rules_and_prometheus_configs_pass_promtool() {
    let Some(promtool) = promtool() else {
        return;
    };
    let out = run_ok(
        Command::new(&promtool)
            .args(["check", "rules"])
            .arg(deploy("prometheus/alerts.yml")),
    );
    assert!(out.contains("SUCCESS"), "{out}");
    // Unit tests of the rules (fire when they should, stay silent when they should not).
    run_ok(
        Command::new(&promtool)
            .args(["test", "rules", "alerts.test.yml"])
            .current_dir(deploy("prometheus")),
    );
    // The configs name the rule file by its path in the container; check them beside it.
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        deploy("prometheus/alerts.yml"),
        dir.path().join("alerts.yml"),
    )
    .unwrap();
    for cfg in ["prometheus.yml", "prometheus-hosts.yml"] {
        let text = read(&deploy(&format!("prometheus/{cfg}")));
        assert!(
            text.contains("/etc/prometheus/alerts.yml"),
            "{cfg} must load the alert rules"
        );
        let local = dir.path().join(cfg);
        std::fs::write(
            &local,
            text.replace("/etc/prometheus/alerts.yml", "alerts.yml"),
        )
        .unwrap();
        let out = run_ok(
            Command::new(&promtool)
                .args(["check", "config"])
                .arg(&local),
        );
        assert!(out.contains("1 rule files found"), "{cfg}: {out}");
    }
}

// ---------------------------------------------------------------------------------------
// metrics used by the dashboard and the alerts

/// Metric families and their types from a real scrape of the metrics server.
fn scraped_families() -> HashMap<String, String> {
    // Families whose labels are not a closed set (site) or that start without a series
    // (dependency) only appear once touched: touch each once, as a running process does.
    let m = pucha_metrics::metrics();
    for d in pucha_metrics::Dependency::ALL {
        m.dependency_up(d).set(1);
    }
    let site = "http://127.0.0.1:1";
    m.record_probe(
        site,
        &pucha_core::ProbeSample {
            content: None,
            at: chrono::Utc::now(),
            elapsed_ms: 1,
            status: Some(200),
            failure: None,
        },
    );
    m.set_site_availability(site, 1.0);
    m.set_site_warning(site, false);
    m.set_site_homepage(site, chrono::Utc::now().timestamp(), false);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let text = rt.block_on(async {
        let server = pucha_metrics::serve(
            "127.0.0.1:0".parse().unwrap(),
            pucha_metrics::Readiness::new(),
        )
        .await
        .unwrap();
        let text = http_get(server.local_addr(), "/metrics").await;
        server.shutdown().await.unwrap();
        text
    });
    text.lines()
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .map(|l| {
            let mut it = l.split_whitespace();
            (
                it.next().unwrap().to_string(),
                it.next().unwrap().to_string(),
            )
        })
        .collect()
}

async fn http_get(addr: std::net::SocketAddr, path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(format!("GET {path} HTTP/1.0\r\nHost: x\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut buf = String::new();
    s.read_to_string(&mut buf).await.unwrap();
    assert!(
        buf.starts_with("HTTP/1.0 200") || buf.starts_with("HTTP/1.1 200"),
        "{buf}"
    );
    buf
}

/// `pucha_*` identifiers in a PromQL expression.
fn pucha_names(expr: &str) -> Vec<String> {
    let mut out = Vec::new();
    let b = expr.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b':';
        if ident(b[i]) && (i == 0 || !ident(b[i - 1])) {
            let start = i;
            while i < b.len() && ident(b[i]) {
                i += 1;
            }
            let word = &expr[start..i];
            if word.starts_with("pucha_") {
                out.push(word.to_string());
            }
        } else {
            i += 1;
        }
    }
    out
}

/// `label="value"` pairs of the selectors in an expression.
fn label_matchers(expr: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for sel in expr.split('{').skip(1) {
        let body = sel.split('}').next().unwrap_or("");
        for m in body.split(',') {
            if let Some((k, v)) = m.split_once('=') {
                let k = k.trim().trim_end_matches(['!', '~']).to_string();
                if !v.starts_with('~') && !m.contains("=~") && !m.contains("!=") {
                    out.push((k, v.trim().trim_matches('"').to_string()));
                }
            }
        }
    }
    out
}

fn check_exprs(what: &str, exprs: &[String], families: &HashMap<String, String>) {
    assert!(!exprs.is_empty(), "{what} has no query");
    let closed: HashMap<&str, Vec<&str>> = HashMap::from([
        (
            "queue",
            pucha_metrics::QueueKind::ALL
                .iter()
                .map(|q| q.as_str())
                .collect(),
        ),
        (
            "kind",
            pucha_metrics::FetchErrorKind::ALL
                .iter()
                .map(|k| k.as_str())
                .collect(),
        ),
        ("result", {
            let mut v: Vec<&str> = pucha_metrics::LinkResult::ALL
                .iter()
                .map(|r| r.as_str())
                .collect();
            v.extend(["ok", "failed"]);
            v
        }),
        (
            "dependency",
            pucha_metrics::Dependency::ALL
                .iter()
                .map(|d| d.as_str())
                .collect(),
        ),
        (
            "reason",
            pucha_metrics::ProbeDrop::ALL
                .iter()
                .map(|r| r.as_str())
                .collect(),
        ),
        (
            "job",
            vec![
                "pucha-worker",
                "pucha-coordinator",
                "pucha-monitor",
                "pucha-monitor-prober",
                "rabbitmq",
            ],
        ),
    ]);
    let mut used = BTreeSet::new();
    for e in exprs {
        for name in pucha_names(e) {
            let known = families.contains_key(&name)
                || ["_bucket", "_sum", "_count"].iter().any(|suf| {
                    name.strip_suffix(suf)
                        .and_then(|base| families.get(base))
                        .is_some_and(|t| t == "histogram")
                });
            assert!(
                known,
                "{what} queries {name}, which pucha does not export ({e})"
            );
            used.insert(name);
        }
        for (label, value) in label_matchers(e) {
            if let Some(set) = closed.get(label.as_str()) {
                assert!(
                    set.contains(&value.as_str()),
                    "{what}: {label}=\"{value}\" is not a value pucha exports ({e})"
                );
            }
        }
    }
    assert!(!used.is_empty(), "{what} queries no pucha metric");
}

fn collect_exprs(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, v) in m {
                match (k.as_str(), v) {
                    ("expr", serde_json::Value::String(s)) => out.push(s.clone()),
                    _ => collect_exprs(v, out),
                }
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|v| collect_exprs(v, out)),
        _ => {}
    }
}

#[test]
fn dashboard_and_alerts_query_only_metrics_pucha_exports() {
    let families = scraped_families();
    assert!(
        families.contains_key("pucha_jobs_done_total"),
        "{families:?}"
    );

    let path = deploy("grafana/dashboards/pucha.json");
    let dash: serde_json::Value = serde_json::from_str(&read(&path)).expect("dashboard JSON");
    let mut exprs = Vec::new();
    collect_exprs(&dash, &mut exprs);
    check_exprs("the dashboard", &exprs, &families);
    // The panels the operators rely on.
    let titles: Vec<&str> = dash["panels"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["title"].as_str())
        .collect();
    for t in [
        "Run progress",
        "ETA",
        "Pages fetched per second",
        "Fetch errors by kind",
        "Queue depth",
        "Jobs in flight",
        "Worker memory (RSS)",
        "Findings by rule (in range)",
        "Availability per site (7 days), worst first",
        "Homepage age per site (days), oldest first",
    ] {
        assert!(titles.contains(&t), "dashboard lacks panel {t:?}");
    }
    // Every panel uses the provisioned data source.
    let ds = &yaml_docs(&deploy("grafana/provisioning/datasources/prometheus.yml"))[0];
    let uid = ds["datasources"][0]["uid"].as_str().unwrap();
    for p in dash["panels"].as_array().unwrap() {
        if p["type"] != "row" {
            assert_eq!(p["datasource"]["uid"], uid, "panel {}", p["title"]);
        }
    }

    let rules = &yaml_docs(&deploy("prometheus/alerts.yml"))[0];
    let mut alert_exprs = Vec::new();
    for g in rules["groups"].as_sequence().unwrap() {
        for r in g["rules"].as_sequence().unwrap() {
            alert_exprs.push(r["expr"].as_str().unwrap().to_string());
            let desc = r["annotations"]["description"].as_str().unwrap_or("");
            // Each alert points to its section of the runbook.
            let anchor = desc
                .split("docs/operations.md#")
                .nth(1)
                .unwrap_or_else(|| panic!("alert {:?} has no runbook link", r["alert"]));
            let anchor = anchor.trim_end_matches('.');
            let title = r["alert"].as_str().unwrap();
            assert_eq!(anchor, kebab(title), "runbook anchor of {title}");
            assert!(
                read(&root().join("docs/operations.md")).contains(&format!("### {title}")),
                "docs/operations.md has no section for {title}"
            );
        }
    }
    check_exprs("the alert rules", &alert_exprs, &families);
}

fn kebab(camel: &str) -> String {
    let mut s = String::new();
    for (i, c) in camel.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            s.push('-');
        }
        s.push(c.to_ascii_lowercase());
    }
    s
}

// ---------------------------------------------------------------------------------------
// the binary's command line, as the deploy files use it

struct Cli {
    help: HashMap<String, String>,
}

impl Cli {
    fn new() -> Cli {
        Cli {
            help: HashMap::new(),
        }
    }

    /// `pucha <sub> --help`, or a panic naming the missing subcommand.
    fn help(&mut self, sub: &str) -> &str {
        self.help.entry(sub.to_string()).or_insert_with(|| {
            let mut cmd = Command::new(env!("CARGO_BIN_EXE_pucha"));
            if !sub.is_empty() {
                cmd.arg(sub);
            }
            let out = cmd.arg("--help").output().unwrap();
            assert!(
                out.status.success(),
                "`pucha {sub}` is not a subcommand: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8_lossy(&out.stdout).to_string()
        })
    }

    /// Checks `args` (subcommand first) against the help text; returns the metrics port.
    fn check(&mut self, what: &str, args: &[String]) -> Option<u16> {
        let sub = args
            .first()
            .unwrap_or_else(|| panic!("{what}: no subcommand"));
        let help = self.help(sub).to_string();
        let mut port = None;
        for (i, a) in args.iter().enumerate() {
            if let Some(flag) = a.strip_prefix("--") {
                let flag = flag.split('=').next().unwrap();
                assert!(
                    help.contains(&format!("--{flag}")),
                    "{what}: `pucha {sub}` has no flag --{flag}"
                );
                if flag == "metrics-addr" {
                    let addr: std::net::SocketAddr = args[i + 1]
                        .parse()
                        .unwrap_or_else(|e| panic!("{what}: bad --metrics-addr: {e}"));
                    port = Some(addr.port());
                }
            }
        }
        port
    }

    /// Whether `pucha <sub>` reads the environment variable `var`.
    fn reads_env(&mut self, sub: &str, var: &str) -> bool {
        let global = self.help("").to_string();
        let h = self.help(sub);
        // `[env: VAR=value]`, or `[env: VAR]` with hide_env_values.
        let shown = |text: &str| {
            text.contains(&format!("[env: {var}=")) || text.contains(&format!("[env: {var}]"))
        };
        shown(h) || shown(&global)
    }
}

/// Variables read by the runtime or the log set-up rather than by a flag.
const AMBIENT_ENV: &[&str] = &["PUCHA_LOG", "PUCHA_LOG_JSON", "TZ", "RUST_BACKTRACE"];

fn as_strings(v: &Value) -> Vec<String> {
    v.as_sequence()
        .map(|s| {
            s.iter()
                .map(|x| match x {
                    Value::String(s) => s.clone(),
                    other => serde_yaml::to_string(other).unwrap().trim().to_string(),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Expands `${VAR:-default}` the way compose does when VAR is unset.
fn compose_default(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        let end = rest[i..].find('}').unwrap() + i;
        let inner = &rest[i + 2..end];
        out.push_str(inner.split_once(":-").map(|(_, d)| d).unwrap_or(""));
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

#[test]
fn compose_file_runs_existing_commands_on_the_scraped_ports() {
    let mut cli = Cli::new();
    let mut compose = yaml_docs(&deploy("compose.yaml")).remove(0);
    compose.apply_merge().expect("compose merge keys");
    let compose = &compose;
    let services = compose["services"].as_mapping().expect("services");
    let names: BTreeSet<&str> = services.keys().filter_map(|k| k.as_str()).collect();
    for s in [
        "rabbitmq",
        "redis",
        "prometheus",
        "grafana",
        "coordinator",
        "worker",
        "monitor",
        "monitor-prober",
    ] {
        assert!(names.contains(s), "compose.yaml lacks service {s}");
    }

    // RabbitMQ: management image, durable volume, the config with consumer_timeout.
    let rmq = &compose["services"]["rabbitmq"];
    assert!(rmq["image"].as_str().unwrap().contains("management"));
    let vols = as_strings(&rmq["volumes"]);
    assert!(
        vols.iter().any(|v| v.ends_with(":/var/lib/rabbitmq")),
        "{vols:?}"
    );
    let conf = vols
        .iter()
        .find(|v| v.contains("rabbitmq.conf"))
        .expect("rabbitmq.conf mounted");
    let conf_path = deploy(conf.split(':').next().unwrap().trim_start_matches("./"));
    let conf_text = read(&conf_path);
    assert!(
        conf_text
            .lines()
            .any(|l| l.trim() == "consumer_timeout = 7200000"),
        "rabbitmq.conf must set consumer_timeout = 7200000"
    );

    // Redis with AOF.
    let redis_cmd = as_strings(&compose["services"]["redis"]["command"]);
    let aof = redis_cmd
        .windows(2)
        .any(|w| w[0] == "--appendonly" && w[1] == "yes");
    assert!(aof, "redis must run with --appendonly yes: {redis_cmd:?}");

    // Mounted files exist.
    for (name, svc) in services {
        for v in as_strings(&svc["volumes"]) {
            let src = v.split(':').next().unwrap();
            if let Some(rel) = src.strip_prefix("./") {
                assert!(
                    deploy(rel).exists(),
                    "service {name:?} mounts missing {src}"
                );
            }
        }
    }

    let prom = &yaml_docs(&deploy("prometheus/prometheus.yml"))[0];
    // Service, the subcommand it runs.
    for (name, role) in [
        ("worker", "worker"),
        ("coordinator", "coordinator"),
        ("monitor", "monitor"),
        ("monitor-prober", "monitor"),
    ] {
        let svc = &compose["services"][name];
        let image = svc["image"].as_str().expect("image");
        assert!(image.starts_with("pucha"), "{role} runs {image}");
        let args: Vec<String> = as_strings(&svc["command"])
            .iter()
            .map(|a| compose_default(a))
            .collect();
        assert_eq!(args[0], role);
        let port = cli
            .check(&format!("compose {name}"), &args)
            .unwrap_or_else(|| panic!("compose {name} sets no --metrics-addr"));
        // Prometheus scrapes that port under the job name the alerts use.
        let job = format!("pucha-{name}");
        let sc = prom["scrape_configs"]
            .as_sequence()
            .unwrap()
            .iter()
            .find(|s| s["job_name"] == job.as_str())
            .unwrap_or_else(|| panic!("prometheus.yml has no job {job}"));
        let scraped_port = sc["dns_sd_configs"][0]["port"]
            .as_u64()
            .map(|p| p as u16)
            .or_else(|| {
                as_strings(&sc["static_configs"][0]["targets"])
                    .first()
                    .and_then(|t| t.rsplit(':').next()?.parse().ok())
            })
            .unwrap();
        assert_eq!(scraped_port, port, "{job}: scraped port vs --metrics-addr");
        // Environment variables given to the process are read by it.
        let env = svc["environment"].as_mapping().expect("environment");
        assert!(
            env.contains_key("REDIS_URL"),
            "compose {name} gets no REDIS_URL"
        );
        for var in env.keys().filter_map(|k| k.as_str()) {
            let ok = AMBIENT_ENV.contains(&var) || cli.reads_env(role, var);
            assert!(ok, "compose {name}: `pucha {role}` does not read {var}");
        }
    }
}

#[test]
fn kubernetes_manifests_and_systemd_units_run_existing_commands() {
    let mut cli = Cli::new();
    let dir = deploy("k8s");
    let mut docs = Vec::new();
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "yaml") {
            docs.extend(yaml_docs(&p).into_iter().map(|d| (p.clone(), d)));
        }
    }
    let kinds: Vec<String> = docs
        .iter()
        .map(|(_, d)| d["kind"].as_str().unwrap_or("").to_string())
        .collect();
    for k in ["Deployment", "Job", "ConfigMap", "Secret"] {
        assert!(kinds.iter().any(|x| x == k), "no {k} in deploy/k8s");
    }
    let find = |kind: &str, name: &str| {
        docs.iter()
            .map(|(_, d)| d)
            .find(|d| d["kind"] == kind && d["metadata"]["name"] == name)
    };
    let mut roles = BTreeSet::new();
    for (path, d) in &docs {
        let kind = d["kind"].as_str().unwrap_or("");
        if !["Deployment", "Job"].contains(&kind) {
            continue;
        }
        let what = format!(
            "{} {}",
            path.display(),
            d["metadata"]["name"].as_str().unwrap()
        );
        let pod = &d["spec"]["template"]["spec"];
        for c in pod["containers"].as_sequence().unwrap() {
            assert!(c["image"].as_str().unwrap().starts_with("pucha"), "{what}");
            let args = as_strings(&c["args"]);
            let role = args[0].clone();
            roles.insert(role.clone());
            let port = cli
                .check(&what, &args)
                .unwrap_or_else(|| panic!("{what}: no --metrics-addr"));
            let ports: Vec<u64> = c["ports"]
                .as_sequence()
                .unwrap()
                .iter()
                .filter_map(|p| p["containerPort"].as_u64())
                .collect();
            assert!(
                ports.contains(&u64::from(port)),
                "{what}: containerPort vs --metrics-addr"
            );
            for probe in ["livenessProbe", "readinessProbe"] {
                if let Some(p) = c[probe]["httpGet"]["port"].as_u64() {
                    assert_eq!(p, u64::from(port), "{what}: {probe} port");
                    let path = c[probe]["httpGet"]["path"].as_str().unwrap();
                    assert!(
                        ["/healthz", "/readyz"].contains(&path),
                        "{what}: {probe} path {path}"
                    );
                }
            }
            assert_eq!(
                d["spec"]["template"]["metadata"]["annotations"]["prometheus.io/port"].as_str(),
                Some(port.to_string().as_str()),
                "{what}: scrape annotation port"
            );
            // Env: every variable is read by the process, every secret/config exists.
            for e in c["env"].as_sequence().into_iter().flatten() {
                let var = e["name"].as_str().unwrap();
                assert!(
                    AMBIENT_ENV.contains(&var) || cli.reads_env(&role, var),
                    "{what}: `pucha {role}` does not read {var}"
                );
                let r = &e["valueFrom"]["secretKeyRef"];
                if let Some(name) = r["name"].as_str() {
                    let secret =
                        find("Secret", name).unwrap_or_else(|| panic!("{what}: no Secret {name}"));
                    let key = r["key"].as_str().unwrap();
                    assert!(
                        !secret["stringData"][key].is_null(),
                        "{what}: Secret {name} has no {key}"
                    );
                }
            }
            for e in c["envFrom"].as_sequence().into_iter().flatten() {
                let name = e["configMapRef"]["name"].as_str().unwrap();
                let cm = find("ConfigMap", name)
                    .unwrap_or_else(|| panic!("{what}: no ConfigMap {name}"));
                for var in cm["data"].as_mapping().unwrap().keys() {
                    let var = var.as_str().unwrap();
                    assert!(
                        AMBIENT_ENV.contains(&var) || cli.reads_env(&role, var),
                        "{what}: `pucha {role}` does not read {var} (ConfigMap {name})"
                    );
                }
            }
            // --sites names a file of a mounted ConfigMap.
            if let Some(i) = args.iter().position(|a| a == "--sites") {
                let file = Path::new(&args[i + 1]);
                let mount = c["volumeMounts"]
                    .as_sequence()
                    .unwrap()
                    .iter()
                    .find(|m| file.starts_with(m["mountPath"].as_str().unwrap()))
                    .unwrap_or_else(|| panic!("{what}: {} is not mounted", file.display()));
                let vol = pod["volumes"]
                    .as_sequence()
                    .unwrap()
                    .iter()
                    .find(|v| v["name"] == mount["name"])
                    .unwrap();
                let cm = find("ConfigMap", vol["configMap"]["name"].as_str().unwrap()).unwrap();
                let key = file.file_name().unwrap().to_str().unwrap();
                assert!(!cm["data"][key].is_null(), "{what}: ConfigMap lacks {key}");
            }
        }
    }
    assert_eq!(
        roles.into_iter().collect::<Vec<_>>(),
        vec!["coordinator", "monitor", "worker"]
    );

    // systemd units: ExecStart runs the installed binary with existing flags.
    let mut units = 0;
    for e in std::fs::read_dir(deploy("systemd")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_none_or(|x| x != "service") {
            continue;
        }
        units += 1;
        let text = read(&p);
        let exec = text
            .lines()
            .find_map(|l| l.strip_prefix("ExecStart="))
            .unwrap_or_else(|| panic!("{} has no ExecStart", p.display()));
        let cmdline = exec
            .split("/usr/local/bin/pucha ")
            .nth(1)
            .unwrap_or_else(|| {
                panic!(
                    "{}: ExecStart does not run /usr/local/bin/pucha",
                    p.display()
                )
            })
            .trim_end_matches('\'');
        // Instance N of a template unit: port 9463+N (N = 1 here), run id = the instance name.
        let cmdline = cmdline
            .replace("$$((9463 + %i))", "9464")
            .replace("$$((9480 + %i))", "9481")
            .replace("%i", "2026q1");
        let args: Vec<String> = cmdline.split_whitespace().map(String::from).collect();
        cli.check(&p.display().to_string(), &args)
            .unwrap_or_else(|| panic!("{}: no --metrics-addr", p.display()));
        assert!(text.contains("User=pucha"), "{} runs as root", p.display());
    }
    assert_eq!(units, 4);
    let env = read(&deploy("systemd/pucha.env"));
    for line in env
        .lines()
        .filter(|l| !l.starts_with('#') && l.contains('='))
    {
        let var = line.split('=').next().unwrap();
        let read_by_some = AMBIENT_ENV.contains(&var)
            || ["worker", "coordinator", "monitor"]
                .iter()
                .any(|r| cli.reads_env(r, var));
        assert!(
            read_by_some,
            "pucha.env sets {var}, which no pucha process reads"
        );
    }
}

#[test]
fn dockerfile_is_multi_stage_and_runs_as_non_root() {
    let text = read(&deploy("Dockerfile"));
    let froms = text.lines().filter(|l| l.starts_with("FROM ")).count();
    assert!(
        froms >= 2,
        "the Dockerfile must have a build and a runtime stage"
    );
    let user = text
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("USER "))
        .expect("USER in the runtime stage");
    assert!(
        !user.starts_with("root") && !user.starts_with('0'),
        "runs as {user}"
    );
    assert!(text.contains("--bin pucha"), "builds the pucha binary");
    assert!(text.contains("ENTRYPOINT [\"/usr/local/bin/pucha\"]"));
    assert!(text.contains("EXPOSE 9464"));
}
