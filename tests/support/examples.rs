//! The example binaries (`target/<profile>/examples/<name>`, which `cargo
//! test` builds) run as a user runs them: configured by the environment
//! only, on a free port of 127.0.0.1.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running example, killed when dropped.
pub struct Example {
    pub child: Child,
    pub addr: SocketAddr,
}

impl Drop for Example {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the example `name` with an empty environment but `HOST`, `PORT`
/// and `env`, and waits until it listens.
pub fn start(name: &str, env: &[(&str, &str)]) -> Example {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut binary = std::env::current_exe().unwrap();
    binary.pop(); // the test binary
    binary.pop(); // deps
    let child = Command::new(binary.join("examples").join(name))
        .env_clear()
        .env("HOST", "127.0.0.1")
        .env("PORT", port.to_string())
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|error| panic!("{name}: {error} (built by `cargo test --all-features`)"));
    let example = Example {
        child,
        addr: SocketAddr::from(([127, 0, 0, 1], port)),
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(example.addr).is_err() {
        assert!(Instant::now() < deadline, "{name} did not start listening");
        std::thread::sleep(Duration::from_millis(50));
    }
    example
}
