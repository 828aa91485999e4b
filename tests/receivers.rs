//! The example receivers as a user runs them (their binaries, configured by
//! the environment): the configuration self-test is mounted only when
//! `COGNIGY_SELF_TEST_TOKEN` is set, and then answers only its bearer.
#![cfg(all(
    feature = "axum",
    feature = "actix",
    feature = "stores",
    feature = "siem"
))]

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use cognigy_webhook::self_test::{SELF_TEST_PATH, SELF_TEST_TOKEN_VAR};

const TOKEN: &str = "receiver-self-test-token";

/// `target/<profile>/examples/<name>`, which `cargo test` builds.
fn example(name: &str) -> PathBuf {
    let mut path = std::env::current_exe().unwrap();
    path.pop(); // the test binary
    path.pop(); // deps
    path.join("examples").join(name)
}

/// A receiver running until dropped.
struct Receiver {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(name: &str, token: Option<&str>) -> Receiver {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut command = Command::new(example(name));
    command
        .env_clear()
        .env("HOST", "127.0.0.1")
        .env("PORT", port.to_string())
        .env("COGNIGY_WEBHOOK_SECRET", "receiver-secret-0123456789")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(token) = token {
        command.env(SELF_TEST_TOKEN_VAR, token);
    }
    let child = command
        .spawn()
        .unwrap_or_else(|error| panic!("{name}: {error} (built by `cargo test --all-features`)"));
    let receiver = Receiver {
        child,
        addr: SocketAddr::from(([127, 0, 0, 1], port)),
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(receiver.addr).is_err() {
        assert!(Instant::now() < deadline, "{name} did not start listening");
        std::thread::sleep(Duration::from_millis(50));
    }
    receiver
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
