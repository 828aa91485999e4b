//! Where an example receiver listens, from the environment: the server's
//! own settings, beside the verifier's (`cognigy_webhook::Config`).
//!
//! | variable | meaning | default |
//! |---|---|---|
//! | `HOST` | address to bind; `127.0.0.1` keeps the receiver local | `0.0.0.0` (every interface) |
//! | `PORT` | TCP port | `8080` |
//! | `COGNIGY_WEBHOOK_PATH` | route of the webhook (starts with `/`) | `/webhooks/cognigy` |

use std::net::IpAddr;

/// The address, port and route of a receiver.
#[derive(Debug, Clone)]
pub(crate) struct Listen {
    pub(crate) host: IpAddr,
    pub(crate) port: u16,
    pub(crate) path: String,
}

impl Listen {
    pub(crate) fn from_env() -> Result<Listen, String> {
        let var = |name: &str| std::env::var(name).ok().filter(|value| !value.is_empty());
        let host = match var("HOST") {
            None => IpAddr::from([0, 0, 0, 0]),
            Some(host) => host
                .trim()
                .parse()
                .map_err(|_| format!("HOST: {host:?} is not an IP address"))?,
        };
        let port = match var("PORT") {
            None => 8080,
            Some(port) => port
                .trim()
                .parse()
                .map_err(|_| format!("PORT: {port:?} is not a port number"))?,
        };
        let path = var("COGNIGY_WEBHOOK_PATH").unwrap_or_else(|| "/webhooks/cognigy".into());
        if !path.starts_with('/') {
            return Err(format!(
                "COGNIGY_WEBHOOK_PATH: {path:?} does not start with '/'"
            ));
        }
        Ok(Listen { host, port, path })
    }
}
