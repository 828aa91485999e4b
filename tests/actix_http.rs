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

/// Behind the middleware a handler may read the verified body with actix's
/// own extractors (`Bytes`, `String`): a body the middleware admitted is
/// never refused by actix's smaller default payload limit (256 KiB).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actix_extractors_read_every_body_the_middleware_admitted() {
    use actix_web::{App, HttpResponse, web};
    use cognigy_webhook::actix::WebhookVerification;
    use cognigy_webhook::{Profile, Secret, Verifier};

    let secret = || Secret::new("extractor-secret").unwrap();
    let verifier = Verifier::new(Profile::hex_millis(), secret());
    let addr = support::servers::serve_actix(1, move || {
        App::new()
            .service(
                web::resource("/bytes")
                    .wrap(WebhookVerification::new(verifier.clone()))
                    .route(web::post().to(|body: web::Bytes| async move {
                        HttpResponse::Ok().body(body.len().to_string())
                    })),
            )
            .service(
                web::resource("/string")
                    .wrap(WebhookVerification::new(verifier.clone()))
                    .route(web::post().to(|body: String| async move {
                        HttpResponse::Ok().body(body.len().to_string())
                    })),
            )
    });
    support::servers::every_length_reaches_the_handler(
        addr,
        "extractor-secret",
        &[300 * 1024, 1024 * 1024],
    )
    .await;
}
