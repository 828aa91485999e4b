//! RSA-OAEP decryption against ciphertext made by OpenSSL
//! (`tests/data/decrypt/make_fixtures.sh`), directly and through both
//! adapters on real servers on 127.0.0.1.
#![cfg(feature = "decrypt")]

mod support;

use base64::Engine as _;
use cognigy_webhook::ConfigError;
use cognigy_webhook::decrypt::Decryptor;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/data/decrypt/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn decryptor() -> Decryptor {
    Decryptor::from_pem(&fixture("key_pkcs8.pem")).unwrap()
}

fn envelope(ciphertext: &str) -> Vec<u8> {
    serde_json::json!({ "sessionId": "s-1", "encryptedPayload": ciphertext })
        .to_string()
        .into_bytes()
}

fn ciphertext() -> String {
    String::from_utf8(fixture("ciphertext.b64")).unwrap()
}

/// The fixture's ciphertext with one byte flipped.
fn tampered() -> String {
    let engine = base64::engine::general_purpose::STANDARD;
    let mut bytes = engine.decode(ciphertext().trim()).unwrap();
    bytes[100] ^= 0x01;
    engine.encode(bytes)
}

#[test]
fn openssl_ciphertext_decrypts_to_the_exact_plaintext() {
    let decryptor = decryptor();
    assert_eq!(decryptor.key_bits(), 2048);
    let plaintext = decryptor.decrypt_field(&envelope(&ciphertext())).unwrap();
    assert_eq!(&plaintext[..], &fixture("plaintext.json")[..]);
    assert!(!format!("{decryptor:?}").contains("BEGIN"));
}

#[test]
fn every_failure_is_the_same_decryption_failed() {
    let decryptor = decryptor();
    let other = Decryptor::from_pem(&fixture("other_key_pkcs8.pem")).unwrap();
    let engine = base64::engine::general_purpose::STANDARD;
    let oversized = engine.encode(vec![7u8; 64 * 1024]);
    let one_short = engine.encode(vec![7u8; 255]);
    let cases: Vec<(&str, Vec<u8>, &Decryptor)> = vec![
        ("tampered ciphertext", envelope(&tampered()), &decryptor),
        ("wrong key", envelope(&ciphertext()), &other),
        ("bad base64", envelope("!!not base64!!"), &decryptor),
        ("oversized input", envelope(&oversized), &decryptor),
        (
            "one byte short of a block",
            envelope(&one_short),
            &decryptor,
        ),
        ("empty", envelope(""), &decryptor),
        ("no field", br#"{"payload":"x"}"#.to_vec(), &decryptor),
        (
            "field not a string",
            br#"{"encryptedPayload":42}"#.to_vec(),
            &decryptor,
        ),
        ("not JSON", b"\xff\xfe".to_vec(), &decryptor),
    ];
    for (name, body, decryptor) in cases {
        let error = decryptor.decrypt_field(&body).unwrap_err();
        assert_eq!(error.reason(), "decryption_failed", "{name}");
        assert_eq!(error.kind().status(), 422, "{name}");
    }
}

#[test]
fn keys_other_than_pkcs8_rsa_are_refused_at_start_up() {
    let error = Decryptor::from_pem(&fixture("key_pkcs1.pem")).unwrap_err();
    let text = error.to_string();
    assert!(matches!(error, ConfigError::InvalidPrivateKey(_)));
    assert!(
        text.contains("PKCS#1") && text.contains("openssl pkcs8 -topk8"),
        "{text}"
    );
    for bad in [
        &b""[..],
        b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        &fixture("key_public.pem"),
    ] {
        let error = Decryptor::from_pem(bad).unwrap_err();
        assert!(
            matches!(error, ConfigError::InvalidPrivateKey(_)),
            "{error}"
        );
        assert!(!error.to_string().contains("AAAA"));
    }
}

#[test]
fn an_environment_value_may_escape_its_newlines() {
    let pem = String::from_utf8(fixture("key_pkcs8.pem")).unwrap();
    for value in [pem.clone(), pem.replace('\n', "\\n")] {
        let decryptor = Decryptor::from_env_value(&value).unwrap();
        assert!(decryptor.decrypt_field(&envelope(&ciphertext())).is_ok());
    }
}

#[cfg(all(feature = "axum", feature = "actix"))]
mod over_http {
    use super::support::servers::{serve_actix, serve_axum};
    use super::*;
    use cognigy_webhook::decrypt::Decrypted;
    use cognigy_webhook::{Profile, Secret, Signer, Verifier};
    use std::net::SocketAddr;

    const SECRET: &str = "decrypt-test-secret";

    fn verifier() -> Verifier {
        Verifier::new(Profile::hex_millis(), Secret::new(SECRET).unwrap())
    }

    async fn axum_server() -> SocketAddr {
        use cognigy_webhook::tower::VerifyWebhookLayer;
        let app = axum::Router::new()
            .route(
                "/hook",
                axum::routing::post(
                    |Decrypted(plaintext): Decrypted| async move { plaintext.to_vec() },
                ),
            )
            .route_layer(VerifyWebhookLayer::new(verifier()))
            .with_state(decryptor());
        serve_axum(app).await
    }

    fn actix_server() -> SocketAddr {
        use actix_web::{App, HttpResponse, web};
        use cognigy_webhook::actix::WebhookVerification;
        async fn handler(decrypted: Decrypted) -> HttpResponse {
            HttpResponse::Ok().body(decrypted.as_bytes().to_vec())
        }
        serve_actix(1, || {
            App::new().app_data(web::Data::new(decryptor())).service(
                web::resource("/hook")
                    .wrap(WebhookVerification::new(verifier()))
                    .route(web::post().to(handler)),
            )
        })
    }

    async fn post(addr: SocketAddr, body: Vec<u8>) -> (u16, Vec<u8>) {
        let headers =
            Signer::new(Profile::hex_millis(), Secret::new(SECRET).unwrap()).sign_now(&body);
        let mut request = reqwest::Client::new()
            .post(format!("http://{addr}/hook"))
            .body(body);
        for (name, value) in headers.iter() {
            request = request.header(name, value);
        }
        let response = request.send().await.unwrap();
        (
            response.status().as_u16(),
            response.bytes().await.unwrap().to_vec(),
        )
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn both_adapters_decrypt_or_answer_422_without_detail() {
        let servers = [("axum", axum_server().await), ("actix", actix_server())];
        for (name, addr) in servers {
            let (status, body) = post(addr, envelope(&ciphertext())).await;
            assert_eq!((status, body), (200, fixture("plaintext.json")), "{name}");
            let mut refusals = Vec::new();
            for bad in [
                envelope(&tampered()),
                envelope("%%%"),
                br#"{"other":1}"#.to_vec(),
            ] {
                let (status, body) = post(addr, bad).await;
                assert_eq!(status, 422, "{name}");
                refusals.push(body);
            }
            let body: serde_json::Value = serde_json::from_slice(&refusals[0]).unwrap();
            assert_eq!(body["reason"], "decryption_failed", "{name}");
            assert!(
                refusals.windows(2).all(|w| w[0] == w[1]),
                "{name}: every cause answers alike"
            );
        }
    }
}
