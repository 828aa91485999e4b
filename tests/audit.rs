//! Audit events and metrics from both adapters, on real servers on
//! 127.0.0.1: every case of the shared HTTP table goes to the tower layer
//! (axum) and to the actix-web middleware, and each request must produce
//! exactly one `tracing` event on `cognigy_webhook::audit` with the same
//! fields from both, no secret or signature in any field, and the counts of
//! `cognigy_webhook_requests_total` must match the table.
#![cfg(all(feature = "axum", feature = "actix", feature = "audit"))]

mod support;

use std::collections::BTreeMap;
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex, OnceLock};

use support::Expected;
use support::http_cases::{HttpCase, cases_by_config, send};
use support::servers::{PATH, actix_server, axum_server};
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, SubscriberExt};

/// One captured event: level and fields as text.
#[derive(Debug, Clone)]
struct Captured {
    level: tracing::Level,
    fields: BTreeMap<String, String>,
}

static EVENTS: Mutex<Vec<Captured>> = Mutex::new(Vec::new());

struct Capture;

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Capture {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        if event.metadata().target() != "cognigy_webhook::audit" {
            return;
        }
        let mut fields = BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        EVENTS.lock().unwrap().push(Captured {
            level: *event.metadata().level(),
            fields,
        });
    }
}

/// The process-wide subscriber and metrics recorder (the actix server runs
/// on threads of its own, so thread-local ones would miss it).
fn install() -> &'static metrics_exporter_prometheus::PrometheusHandle {
    static HANDLE: OnceLock<metrics_exporter_prometheus::PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        tracing::subscriber::set_global_default(tracing_subscriber::registry().with(Capture))
            .unwrap();
        metrics_exporter_prometheus::PrometheusBuilder::new()
            .install_recorder()
            .unwrap()
    })
}

/// The events carrying `correlation_id`.
fn events_of(correlation_id: &str) -> Vec<Captured> {
    EVENTS
        .lock()
        .unwrap()
        .iter()
        .filter(|event| {
            event.fields.get("correlation_id").map(String::as_str) == Some(correlation_id)
        })
        .cloned()
        .collect()
}

/// What must hold of a case's one event, whichever adapter sent it.
fn check_event(case: &HttpCase, event: &Captured, problems: &mut Vec<String>) {
    let fields = &event.fields;
    let mut expect = |name: &str, value: Option<&str>| {
        if fields.get(name).map(String::as_str) != value {
            problems.push(format!(
                "{}: {name} = {:?}, expected {value:?}",
                case.name,
                fields.get(name)
            ));
        }
    };
    expect("path", Some(PATH));
    expect("profile", Some(&case.config.profile));
    match &case.expected {
        Expected::Verified { key_index } => {
            expect("outcome", Some("verified"));
            expect("reason", None);
            expect("key_index", Some(&key_index.to_string()));
            if event.level != tracing::Level::INFO {
                problems.push(format!("{}: level {}", case.name, event.level));
            }
        }
        Expected::Rejected { reason } => {
            expect("outcome", Some("rejected"));
            expect("reason", Some(reason));
            expect("key_index", None);
            // How far off the clock was is the point of this refusal.
            let drift = fields
                .get("drift_ms")
                .and_then(|drift| drift.parse::<i64>().ok());
            if reason == "timestamp_out_of_window" && drift.is_none_or(|drift| drift == 0) {
                problems.push(format!("{}: drift_ms {drift:?}", case.name));
            }
            if event.level != tracing::Level::WARN {
                problems.push(format!("{}: level {}", case.name, event.level));
            }
        }
    }
    for name in ["request_id", "latency_us", "remote_addr"] {
        if !fields.contains_key(name) {
            problems.push(format!("{}: no {name}", case.name));
        }
    }
    if !fields
        .get("remote_addr")
        .is_some_and(|addr| addr.starts_with("127.0.0.1:"))
    {
        problems.push(format!(
            "{}: remote_addr {:?}",
            case.name,
            fields.get("remote_addr")
        ));
    }
    // Nothing secret: no secret, and no value of any header the case sent
    // (signatures, credentials, API keys) appears in any field.
    let secrets = case.config.secrets.iter().map(String::as_str);
    let header_values = case
        .headers
        .iter()
        .filter(|(name, _)| !name.eq_ignore_ascii_case("X-Cognigy-CorrelationId"))
        .map(|(_, value)| value.trim());
    for secret in secrets.chain(header_values).filter(|s| s.len() >= 8) {
        if fields.values().any(|value| value.contains(secret)) {
            problems.push(format!("{}: an event field contains {secret:?}", case.name));
        }
    }
}

/// The fields both adapters must agree on.
fn comparable(event: &Captured) -> (tracing::Level, BTreeMap<String, String>) {
    let mut fields = event.fields.clone();
    fields.remove("request_id");
    fields.remove("latency_us");
    fields.remove("correlation_id");
    if let Some(addr) = fields.get_mut("remote_addr") {
        *addr = addr.split(':').next().unwrap().to_owned();
    }
    (event.level, fields)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_identical_audit_event_per_request_from_both_adapters_and_matching_metrics() {
    let prometheus = install();
    let client = reqwest::Client::new();
    let mut problems = Vec::new();
    let mut expected_counts: BTreeMap<String, u64> = BTreeMap::new();
    let mut cases_run = 0;
    for (config, cases) in cases_by_config() {
        let tower = axum_server(config.clone(), Arc::new(AtomicUsize::new(0))).await;
        let actix = actix_server(config.clone(), Arc::new(AtomicUsize::new(0))).await;
        for case in &cases {
            let mut per_adapter = Vec::new();
            for (adapter, addr) in [("tower", tower), ("actix", actix)] {
                let correlation_id = format!("audit-{cases_run}-{adapter}");
                let mut case = case.clone();
                case.headers
                    .push(("X-Cognigy-CorrelationId".into(), correlation_id.clone()));
                send(&client, addr, PATH, &case).await;
                let events = events_of(&correlation_id);
                if events.len() != 1 {
                    problems.push(format!(
                        "{} via {adapter}: {} events",
                        case.name,
                        events.len()
                    ));
                    continue;
                }
                check_event(&case, &events[0], &mut problems);
                per_adapter.push(comparable(&events[0]));
                let (outcome, reason) = match &case.expected {
                    Expected::Verified { .. } => ("verified", "none".to_owned()),
                    Expected::Rejected { reason } => ("rejected", reason.clone()),
                };
                *expected_counts
                    .entry(format!(
                        r#"outcome="{outcome}",reason="{reason}",profile="{}""#,
                        config.profile
                    ))
                    .or_default() += 1;
            }
            if per_adapter.len() == 2 && per_adapter[0] != per_adapter[1] {
                problems.push(format!(
                    "{}: tower {:?} / actix {:?}",
                    case.name, per_adapter[0], per_adapter[1]
                ));
            }
            cases_run += 1;
        }
    }
    assert!(cases_run > 200, "{cases_run} cases");
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );

    // The counter, as Prometheus renders it, matches the table exactly.
    let rendered = prometheus.render();
    let mut counted: BTreeMap<String, u64> = BTreeMap::new();
    for line in rendered.lines() {
        if let Some(rest) = line.strip_prefix("cognigy_webhook_requests_total{") {
            let (labels, value) = rest.split_once("} ").unwrap();
            counted.insert(labels.to_owned(), value.parse().unwrap());
        }
    }
    assert_eq!(counted, expected_counts);
    let total: u64 = expected_counts.values().sum();
    let histogram_count: u64 = rendered
        .lines()
        .filter(|line| line.starts_with("cognigy_webhook_verify_seconds_count{"))
        .map(|line| line.rsplit(' ').next().unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(histogram_count, total);

    // A delivery signed for another preset: the response is a bare
    // `missing_signature`, the audit event names the preset it was signed for.
    let config = support::http_cases::ServerConfig {
        profile: "webhook-hex".into(),
        secrets: vec!["audit-secret".into()],
        tolerance_ms: None,
        now_unix_ms: 1_700_000_000_000,
    };
    let tower = axum_server(config.clone(), Arc::new(AtomicUsize::new(0))).await;
    let actix = actix_server(config, Arc::new(AtomicUsize::new(0))).await;
    let signer = cognigy_webhook::Signer::new(
        cognigy_webhook::Profile::hex_millis(),
        cognigy_webhook::Secret::new("audit-secret").unwrap(),
    );
    for (adapter, addr) in [("tower", tower), ("actix", actix)] {
        let correlation_id = format!("other-preset-{adapter}");
        let mut request = client
            .post(format!("http://{addr}{PATH}"))
            .header("X-Cognigy-CorrelationId", &correlation_id)
            .body("{}");
        let at = std::time::UNIX_EPOCH + std::time::Duration::from_millis(1_700_000_000_000);
        for (name, value) in signer.sign(b"{}", at).iter() {
            request = request.header(name, value);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 400);
        let body = response.text().await.unwrap();
        assert!(!body.contains("hex-millis"), "{adapter}: {body}");
        let events = events_of(&correlation_id);
        assert_eq!(events.len(), 1, "{adapter}");
        let fields = &events[0].fields;
        assert_eq!(
            fields.get("reason").map(String::as_str),
            Some("missing_signature")
        );
        assert_eq!(
            fields.get("other_preset").map(String::as_str),
            Some("hex-millis"),
            "{adapter}: {fields:?}"
        );
    }
}
