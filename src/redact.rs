//! Outbound URLs as `Debug` shows them: credentials can hide in a URL.

/// `url` without its user name, password, query and fragment (a SIEM or
/// API URL may carry credentials in any), for `Debug` output.
pub(crate) fn redacted(url: &reqwest::Url) -> String {
    let mut shown = url.clone();
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    shown.set_query(None);
    shown.set_fragment(None);
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
        assert_eq!(shown, "https://siem.example/events");
        let plain = reqwest::Url::parse("https://siem.example/events").unwrap();
        assert_eq!(redacted(&plain), "https://siem.example/events");
    }
}
