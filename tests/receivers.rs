//! The example receivers as a user runs them (their binaries, configured by
//! the environment): the configuration self-test is mounted only when
//! `COGNIGY_SELF_TEST_TOKEN` is set, and then answers only its bearer; a
//! connection whose head stalls is closed.
#![cfg(all(
    feature = "axum",
    feature = "actix",
    feature = "stores",
    feature = "siem"
))]

mod support;

use std::net::SocketAddr;
use std::time::Duration;

use cognigy_webhook::self_test::{SELF_TEST_PATH, SELF_TEST_TOKEN_VAR};
use support::examples::{self, Example};

const TOKEN: &str = "receiver-self-test-token";

fn start(name: &str, token: Option<&str>) -> Example {
    let mut env = vec![("COGNIGY_WEBHOOK_SECRET", "receiver-secret-0123456789")];
    if let Some(token) = token {
        env.push((SELF_TEST_TOKEN_VAR, token));
    }
    examples::start(name, &env)
}

async fn status(client: &reqwest::Client, addr: SocketAddr, bearer: Option<&str>) -> u16 {
    let mut request = client.get(format!(
        "http://{addr}{SELF_TEST_PATH}?signature=sha256%3D00&timestamp=1700000000000"
    ));
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn the_self_test_is_mounted_only_with_a_token_and_answers_only_its_bearer() {
    let client = reqwest::Client::new();
    for name in ["axum_receiver", "actix_receiver"] {
        let unmounted = start(name, None);
        for bearer in [None, Some(TOKEN)] {
            assert_eq!(status(&client, unmounted.addr, bearer).await, 404, "{name}");
        }
        drop(unmounted);

        let mounted = start(name, Some(TOKEN));
        assert_eq!(status(&client, mounted.addr, None).await, 401, "{name}");
        assert_eq!(
            status(&client, mounted.addr, Some("not-the-token")).await,
            401,
            "{name}"
        );
        assert_eq!(
            status(&client, mounted.addr, Some(TOKEN)).await,
            200,
            "{name}"
        );
    }
}

/// A client that opens a connection and never finishes its head holds it
/// only for a while: actix-web closes it after 5 s (its own default, with a
/// 408), the axum receiver after its 10 s head deadline (`axum::serve` alone
/// would keep it forever).
#[tokio::test]
async fn a_stalled_head_is_closed() {
    let receivers: Vec<Example> = ["axum_receiver", "actix_receiver"]
        .into_iter()
        .map(|name| start(name, None))
        .collect();
    let probes: Vec<_> = receivers
        .iter()
        .map(|receiver| {
            let addr = receiver.addr;
            tokio::task::spawn_blocking(move || {
                let opening = b"POST /webhooks/cognigy HTTP/1.1\r\nHost: receiver\r\nX-Cognigy";
                support::sockets::closed_after(addr, opening, Duration::from_secs(30))
            })
        })
        .collect();
    for (name, probe) in ["axum_receiver", "actix_receiver"].into_iter().zip(probes) {
        let (closed, after) = probe.await.unwrap();
        assert!(closed, "{name}: still open after {after:?}");
        assert!(
            after < Duration::from_secs(15),
            "{name}: closed after {after:?}"
        );
    }
}
