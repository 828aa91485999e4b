//! Strict JSON parsing of a verified body, shared by the framework adapters.

use serde::de::DeserializeOwned;

use crate::{Error, ErrorKind};

/// Deserialises the whole of `bytes` as `T`, naming the failing path (`$`
/// for the document root).
pub(crate) fn parse_strict<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    let invalid = |path: String, error: serde_json::Error| {
        let path = if path == "." { "$".to_owned() } else { path };
        Error::new(ErrorKind::InvalidPayload).with_detail(format!("{path}: {error}"))
    };
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|error| invalid(error.path().to_string(), error.into_inner()))?;
    deserializer
        .end()
        .map_err(|error| invalid("$".into(), error))?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Payload {
        messages: Vec<Message>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Message {
        text: String,
    }

    fn detail(body: &str) -> String {
        let rejection = parse_strict::<Payload>(body.as_bytes()).unwrap_err();
        assert_eq!(rejection.reason(), "invalid_payload");
        rejection.detail().unwrap().to_owned()
    }

    #[test]
    fn failures_name_the_json_path() {
        assert!(
            detail(r#"{"messages":[{"text":"a"},{"txt":"b"}]}"#)
                .starts_with("messages[1].txt: unknown field")
        );
        assert!(detail(r#"{"messages":[{}]}"#).starts_with("messages[0]: missing field `text`"));
        assert!(
            detail(r#"{"messages":[{"text":5}]}"#).starts_with("messages[0].text: invalid type")
        );
        assert!(detail(r#"{"messages":[]} x"#).starts_with("$: trailing characters"));
        assert!(detail("5").starts_with("$: invalid type"));
        assert!(parse_strict::<Payload>(br#"{"messages":[{"text":"ok"}]}"#).is_ok());
    }
}
