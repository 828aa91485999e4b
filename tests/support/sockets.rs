//! Raw connections, for what an HTTP client library will not do: stop in
//! the middle of a request head and wait.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// Connects to `addr`, sends `opening` (say, half a request head) and waits
/// at most `patience` for the server to close the connection: whether it did
/// (end of stream, or a reset; not our own read timeout) and after how long.
/// Blocking: run it with `spawn_blocking`.
pub fn closed_after(addr: SocketAddr, opening: &[u8], patience: Duration) -> (bool, Duration) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.write_all(opening).unwrap();
    stream.set_read_timeout(Some(patience)).unwrap();
    let started = Instant::now();
    let mut rest = Vec::new();
    let closed = match stream.read_to_end(&mut rest) {
        Ok(_) => true,
        Err(error) => error.kind() == std::io::ErrorKind::ConnectionReset,
    };
    (closed, started.elapsed())
}
