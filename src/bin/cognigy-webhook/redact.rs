//! URLs as the tool shows them, in messages and `Debug` output: a URL can
//! carry a password (`redis://:pw@…`, `postgres://user:pw@…`) or a token in
//! its query. The redaction is the library's own (`src/redact.rs`).

#[path = "../../redact.rs"]
mod url;

/// `url` without its user name, password, query and fragment; a text that
/// does not parse as a URL is not shown at all.
pub(crate) fn shown(text: &str) -> String {
    match reqwest::Url::parse(text) {
        Ok(parsed) => url::redacted(&parsed),
        Err(_) => "<not a URL>".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::shown;

    #[test]
    fn credentials_and_queries_are_never_shown() {
        for (url, expected) in [
            (
                "https://user:hunter2@example.com/hook?token=hunter2",
                "https://example.com/hook",
            ),
            (
                "redis://:hunter2@127.0.0.1:6379/0",
                "redis://127.0.0.1:6379/0",
            ),
            (
                "postgres://u:hunter2@db/x?sslmode=require",
                "postgres://db/x",
            ),
            ("not a url hunter2", "<not a URL>"),
        ] {
            assert_eq!(shown(url), expected);
        }
    }
}
