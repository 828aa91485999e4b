//! The actix-web server of the loopback load benchmark
//! (`benches/http_load.sh`): the same handler on `/plain` (reads the body, no
//! verification), `/inline` (the handler calls `Verifier::verify`),
//! `/verified` (behind the `WebhookVerification` middleware), profile `hex-millis`,
//! and `/mac` (only the bare HMAC of the body: the floor for any verifier),
//! one worker so that pinning the process pins the whole server.
//!
//! ```sh
//! COGNIGY_WEBHOOK_SECRET=bench-secret PORT=18081 cargo run --release --features actix --example load_target_actix
//! ```

use actix_web::web::Bytes;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use cognigy_webhook::actix::WebhookVerification;
use cognigy_webhook::config::SECRET_VAR;
use cognigy_webhook::{Profile, Secret, Verifier};

async fn handler(body: Bytes) -> HttpResponse {
    std::hint::black_box(body);
    HttpResponse::Ok()
        .content_type("application/json")
        .body(r#"{"status":"processed"}"#)
}

async fn inline(request: HttpRequest, verifier: web::Data<Verifier>, body: Bytes) -> HttpResponse {
    match verifier.verify(request.headers(), &body) {
        Ok(_) => handler(body).await,
        Err(_) => HttpResponse::Unauthorized().finish(),
    }
}

async fn mac(key: web::Data<String>, body: Bytes) -> HttpResponse {
    use hmac::{Hmac, KeyInit, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).expect("any key length");
    mac.update(&body);
    std::hint::black_box(mac.finalize());
    handler(body).await
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let raw_secret = std::env::var(SECRET_VAR)?;
    let secret = Secret::from_env_value(SECRET_VAR, &raw_secret)?;
    let key = raw_secret.trim_end().to_owned();
    let port: u16 = std::env::var("PORT").map_or(Ok(18081), |p| p.parse())?;
    let verifier = Verifier::new(Profile::hex_millis(), secret);
    actix_web::rt::System::new().block_on(async move {
        let server = HttpServer::new(move || {
            App::new()
                .app_data(web::Data::new(verifier.clone()))
                .app_data(web::Data::new(key.clone()))
                .route("/mac", web::post().to(mac))
                .route("/plain", web::post().to(handler))
                .route("/inline", web::post().to(inline))
                .service(
                    web::resource("/verified")
                        .wrap(WebhookVerification::new(verifier.clone()))
                        .route(web::post().to(handler)),
                )
        })
        .workers(1)
        .bind(("127.0.0.1", port))?;
        println!("load target listening on http://127.0.0.1:{port}");
        server.run().await
    })?;
    Ok(())
}
