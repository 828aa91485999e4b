//! The shared HTTP case table against the actix-web middleware on a real
//! server on 127.0.0.1, and a parity check: every case gets the very same
//! answer (status, content type, body but for the request id) from actix-web
//! as from the tower layer under axum.
#![cfg(feature = "actix")]

mod support;

use support::http_cases::run_table;
use support::servers::actix_server;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn case_table_against_actix_middleware() {
    let count = run_table(actix_server).await;
    assert!(count > 200, "{count} cases");
}

#[cfg(feature = "axum")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actix_and_tower_answer_every_case_alike() {
    use std::sync::Arc;
    use std::sync::atomic::AtomicUsize;
    use support::http_cases::{cases_by_config, send};
    use support::servers::{PATH, axum_server};

    let client = reqwest::Client::new();
    let mut differences = Vec::new();
    for (config, cases) in cases_by_config() {
        let actix = actix_server(config.clone(), Arc::new(AtomicUsize::new(0))).await;
        let axum = axum_server(config, Arc::new(AtomicUsize::new(0))).await;
        for case in &cases {
            let mut answers = Vec::new();
            for addr in [actix, axum] {
                let mut answer = send(&client, addr, PATH, case).await;
                if let Some(body) = answer.body.as_object_mut() {
                    body.remove("request_id");
                }
                answers.push((answer.status, answer.content_type, answer.body));
            }
            if answers[0] != answers[1] {
                differences.push(format!(
                    "{}: actix {:?} / tower {:?}",
                    case.name, answers[0], answers[1]
                ));
            }
        }
    }
    assert!(
        differences.is_empty(),
        "{} differences:\n{}",
        differences.len(),
        differences.join("\n")
    );
}
