//! `snippet`: code that makes a sender — Node.js, or Cognigy itself in an
//! Endpoint Transformer — produce the signatures a profile verifies.
//!
//! The code is generated from the profile's data (header, encoding, prefix,
//! signed bytes, timestamp format, structured pairs), so it says exactly
//! what the verifier checks. It uses only Node's `crypto`, takes the secret
//! as a parameter and signs the exact UTF-8 bytes of the body.

use clap::{Args, ValueEnum};
use cognigy_webhook::Profile;
use cognigy_webhook::profile::{SignatureEncoding, SignedContent, TimestampFormat};

use crate::Failure;
use crate::output::say;

/// What the code is for.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum Target {
    /// A CommonJS module for Node.js exporting `signHeaders(body, secret, nowMs?)`.
    Module,
    /// TypeScript for a Cognigy Endpoint Transformer that signs what it sends.
    Transformer,
    /// JavaScript for a Cognigy Code Node that signs a body into the context
    /// for an HTTP Request Node to send.
    CodeNode,
}

#[derive(Debug, Args)]
pub(crate) struct SnippetArgs {
    /// The HMAC profile to sign for (webhook-hex, sha256-prefixed,
    /// timestamp-newline, hex-millis, voice-gateway).
    #[arg(long)]
    profile: Profile,
    /// What to generate.
    #[arg(long, value_enum)]
    target: Target,
}

pub(crate) fn run(args: SnippetArgs) -> Result<(), Failure> {
    let code = match args.target {
        Target::Module => module(&args.profile)?,
        Target::Transformer => transformer(&args.profile)?,
        Target::CodeNode => code_node(&args.profile)?,
    };
    say!("{}", code.trim_end());
    Ok(())
}

/// The JavaScript function `signHeaders(body, secret, nowMs)` for `profile`,
/// valid as TypeScript too; a usage error for profiles without an HMAC.
fn sign_function(profile: &Profile) -> Result<String, Failure> {
    let cannot = || {
        Failure::Usage(format!(
            "profile {} has no HMAC signature to produce; snippets exist for \
             webhook-hex, sha256-prefixed, timestamp-newline, hex-millis and voice-gateway",
            profile.name()
        ))
    };
    let (Some(encoding), Some(prefix), Some(content)) = (
        profile.signature_encoding(),
        profile.signature_prefix(),
        profile.signed_content(),
    ) else {
        return Err(cannot());
    };
    let (Some(timestamp_header), Some(format)) =
        (profile.timestamp_header(), profile.timestamp_format())
    else {
        return Err(cannot());
    };
    let digest = match encoding {
        SignatureEncoding::Hex => "hex",
        SignatureEncoding::Base64 => "base64",
        _ => return Err(cannot()),
    };
    let timestamp = match format {
        // Whole seconds, as RFC 3339 allows and the Go reference document sends.
        TimestampFormat::Rfc3339 => {
            "new Date(Math.floor(now / 1000) * 1000).toISOString().replace('.000Z', 'Z')"
        }
        TimestampFormat::UnixMillis => "String(Math.floor(now))",
        TimestampFormat::UnixSeconds | TimestampFormat::UnixWholeSeconds => {
            "String(Math.floor(now / 1000))"
        }
        _ => return Err(cannot()),
    };
    let signed_prefix = match content {
        SignedContent::Body => String::new(),
        SignedContent::TimestampThenBody(separator) => {
            let separator = std::str::from_utf8(separator).map_err(|_| cannot())?;
            format!(
                "  mac.update(timestamp, 'utf8');\n  mac.update({}, 'utf8');\n",
                js_string(separator)
            )
        }
        _ => return Err(cannot()),
    };
    let header = profile.credential_header();
    let headers = match profile.signature_pairs() {
        Some((t, v1)) => format!(
            "{{ {}: '{t}=' + timestamp + ',{v1}=' + signature }}",
            js_string(header)
        ),
        None => format!(
            "{{ {}: signature, {}: timestamp }}",
            js_string(header),
            js_string(timestamp_header)
        ),
    };
    Ok(format!(
        r"/**
 * The headers that sign `body` for the `{name}` profile of cognigy-webhook.
 * body:   the exact body you send: a string (sent as UTF-8) or a Buffer
 * secret: the shared secret (read it from configuration, never write it here)
 * nowMs:  the signing time in Unix milliseconds (default: now)
 */
function signHeaders(body, secret, nowMs) {{
  if (!secret) {{
    throw new Error('signHeaders: the secret is empty');
  }}
  const now = nowMs == null ? Date.now() : nowMs;
  const timestamp = {timestamp};
  const mac = crypto.createHmac('sha256', secret);
{signed_prefix}  if (typeof body === 'string') {{
    mac.update(body, 'utf8');
  }} else {{
    mac.update(body);
  }}
  const signature = {signature};
  return {headers};
}}
",
        name = profile.name(),
        signature = if prefix.is_empty() {
            format!("mac.digest('{digest}')")
        } else {
            format!("{} + mac.digest('{digest}')", js_string(prefix))
        },
    ))
}

/// A CommonJS module for Node.js.
fn module(profile: &Profile) -> Result<String, Failure> {
    Ok(format!(
        "// Signs webhook deliveries for the `{name}` profile of cognigy-webhook.\n\
         // Generated by `cognigy-webhook snippet --profile {name} --target module`.\n\
         // Uses only Node's crypto module.\n\
         'use strict';\n\
         \n\
         const crypto = require('crypto');\n\
         \n\
         {function}\n\
         module.exports = {{ PROFILE: {quoted}, signHeaders }};\n",
        name = profile.name(),
        quoted = js_string(profile.name()),
        function = sign_function(profile)?,
    ))
}

/// TypeScript for a Cognigy Endpoint Transformer.
fn transformer(profile: &Profile) -> Result<String, Failure> {
    Ok(include_str!("snippet_transformer.ts.txt")
        .replace("{name}", profile.name())
        .replace("{function}", &sign_function(profile)?))
}

/// JavaScript for a Cognigy Code Node.
fn code_node(profile: &Profile) -> Result<String, Failure> {
    Ok(include_str!("snippet_code_node.js.txt")
        .replace("{name}", profile.name())
        .replace("{function}", &sign_function(profile)?))
}

/// A JavaScript string literal.
fn js_string(text: &str) -> String {
    serde_json::Value::String(text.to_owned()).to_string()
}
