//! Outbound URLs as `Debug` shows them: credentials can hide in a URL.

/// `url` without its password and query (a SIEM or API URL may carry
/// credentials in either), for `Debug` output.
pub(crate) fn redacted(url: &reqwest::Url) -> String {
    let mut shown = url.clone();
    if shown.password().is_some() {
        let _ = shown.set_password(Some("<redacted>"));
    }
    if shown.query().is_some() {
        shown.set_query(Some("<redacted>"));
    }
    shown.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_and_queries_are_hidden() {
        let url =
            reqwest::Url::parse("https://user:hunter2@siem.example/events?token=abc").unwrap();
        let shown = redacted(&url);
        assert!(
            !shown.contains("hunter2") && !shown.contains("abc"),
            "{shown}"
        );
        assert!(shown.starts_with("https://user:"), "{shown}");
        let plain = reqwest::Url::parse("https://siem.example/events").unwrap();
        assert_eq!(redacted(&plain), "https://siem.example/events");
    }
}
