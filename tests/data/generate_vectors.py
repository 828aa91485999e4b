#!/usr/bin/env python3
"""Writes tests/data/vectors.json: known-answer vectors for cognigy-webhook.

The signatures are computed here with Python's standard `hmac`, `hashlib` and
`base64` modules, independently of the Rust crate, so the crate's tests do not
check the crate against itself. Any language can replay the file.

Each vector gives a profile name, the active secrets, the request headers as
[name, value] pairs, the exact body bytes in base64, the verifier's "now" in
Unix milliseconds, an optional tolerance override, and the expected outcome:
{"outcome": "verified", "key_index": N} or {"outcome": "rejected", "reason": CODE}.
`signer_reproduces` marks vectors whose headers are exactly what a correct
sender produces, so a signer can be checked against them too.

Run from the repository root:  python3 tests/data/generate_vectors.py
"""

import base64
import hashlib
import hmac
import json
import pathlib

NOW_MS = 1_698_765_432_000  # 2023-10-31T15:17:12Z
SECRET = "cognigy-webhook-test-secret"
OTHER_SECRET = "rotated-secret-2"
WRONG_SECRET = "not-the-secret"

BODY = b'{"botId":"bot_123","sessionId":"sess_456","message":"Hello","timestamp":1698765432100}'
NON_UTF8_BODY = b'{"text":"caf\xe9 \xff\xfe"}'
MULTIBYTE_BODY = '{"text":"Grüße 👋 こんにちは"}'.encode("utf-8")
MULTILINE_BODY = b'{\n  "message": "Hello",\n  "sessionId": "sess_456"\n}\n'

HMAC_PROFILES = {
    # name: (signature header, prefix, signs timestamp, timestamp header, format, tolerance s)
    "webhook-hex": ("X-Cognigy-Webhook-Signature", "", False, "X-Cognigy-Webhook-Timestamp", "rfc3339", 300),
    "sha256-prefixed": ("X-Cognigy-Signature", "sha256=", False, "X-Cognigy-Timestamp", "millis", 30),
    "timestamp-newline": ("X-Cognigy-Signature", "", True, "X-Cognigy-Timestamp", "seconds", 60),
    "hex-millis": ("X-Cognigy-Signature", "", False, "X-Cognigy-Timestamp", "millis", 300),
}


def write_timestamp(fmt, ms):
    """A timestamp `ms` Unix milliseconds in the profile's format."""
    if fmt == "millis":
        return str(ms)
    if fmt == "seconds":
        whole, frac = divmod(ms, 1000)
        return f"{whole}.{frac:03d}".rstrip("0").rstrip(".") if frac else str(whole)
    # RFC 3339 in UTC, whole seconds, written by hand to stay independent.
    import datetime

    at = datetime.datetime.fromtimestamp(ms // 1000, tz=datetime.timezone.utc)
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def mac_hex(secret, message):
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def sign(profile, secret, timestamp, body):
    _, prefix, signs_timestamp, _, _, _ = HMAC_PROFILES[profile]
    message = timestamp.encode("ascii") + b"\n" + body if signs_timestamp else body
    return prefix + mac_hex(secret, message)


def b64(data):
    return base64.b64encode(data).decode("ascii")


def verified(key_index=0):
    return {"outcome": "verified", "key_index": key_index}


def rejected(reason):
    return {"outcome": "rejected", "reason": reason}


def vector(name, profile, headers, body, expected, secrets=(SECRET,), note=None,
           tolerance_ms=None, signer_reproduces=False):
    v = {
        "name": f"{profile}/{name}",
        "profile": profile,
        "secrets": list(secrets),
        "headers": [list(h) for h in headers],
        "body_base64": b64(body),
        "now_unix_ms": NOW_MS,
        "expected": expected,
    }
    if tolerance_ms is not None:
        v["tolerance_ms"] = tolerance_ms
    if signer_reproduces:
        v["signer_reproduces"] = True
    if note:
        v["note"] = note
    return v


def hmac_vectors(profile):
    sig_h, prefix, signs_ts, ts_h, fmt, tol = HMAC_PROFILES[profile]
    age_ms = tol * 1000 // 3 + 250  # comfortably inside the window, with a fraction
    ts = write_timestamp(fmt, NOW_MS - age_ms)

    def headers(body=BODY, secret=SECRET, timestamp=ts, signature=None):
        sig = signature if signature is not None else sign(profile, secret, timestamp, body)
        return [(sig_h, sig), (ts_h, timestamp)]

    good_sig = sign(profile, SECRET, ts, BODY)
    vs = [
        vector("valid", profile, headers(), BODY, verified(), signer_reproduces=True),
        vector("wrong_secret", profile, headers(secret=WRONG_SECRET), BODY, rejected("signature_mismatch")),
        vector("tampered_body", profile, headers(), BODY.replace(b"Hello", b"Hellp"),
               rejected("signature_mismatch")),
    ]
    other_ts = write_timestamp(fmt, NOW_MS - age_ms + 1000)
    tampered_ts = [(sig_h, good_sig), (ts_h, other_ts)]
    if signs_ts:
        vs.append(vector("tampered_timestamp", profile, tampered_ts, BODY, rejected("signature_mismatch")))
    else:
        vs.append(vector(
            "tampered_timestamp", profile, tampered_ts, BODY, verified(),
            note="the timestamp is not signed in this profile: a changed timestamp inside "
                 "the window still verifies, which is why a replay guard is needed"))
    upper = prefix + good_sig[len(prefix):].upper()
    vs += [
        vector("uppercase_hex", profile, headers(signature=upper), BODY, verified()),
        vector("missing_signature", profile, [(ts_h, ts)], BODY, rejected("missing_signature")),
        vector("missing_timestamp", profile, [(sig_h, good_sig)], BODY, rejected("missing_timestamp")),
        vector("missing_both", profile, [], BODY, rejected("missing_signature")),
    ]
    for label, offset in (("past_outside_window", tol * 1000 + 1000), ("future_outside_window", -tol * 1000 - 1000)):
        t = write_timestamp(fmt, NOW_MS - offset)
        vs.append(vector(label, profile, headers(timestamp=t), BODY, rejected("timestamp_out_of_window")))
    for label, offset in (("past_edge_of_window", tol * 1000), ("future_edge_of_window", -tol * 1000)):
        t = write_timestamp(fmt, NOW_MS - offset)
        vs.append(vector(label, profile, headers(timestamp=t), BODY, verified(), signer_reproduces=True))
    for label, body in (("non_utf8_body", NON_UTF8_BODY), ("empty_body", b""),
                        ("multibyte_utf8_body", MULTIBYTE_BODY), ("multiline_body", MULTILINE_BODY)):
        vs.append(vector(label, profile, headers(body=body), body, verified(), signer_reproduces=True))
    vs += [
        vector("rotation_second_secret", profile, headers(secret=OTHER_SECRET), BODY, verified(1),
               secrets=(SECRET, OTHER_SECRET)),
        vector("rotation_unknown_secret", profile, headers(secret=WRONG_SECRET), BODY,
               rejected("signature_mismatch"), secrets=(SECRET, OTHER_SECRET)),
        vector("two_signatures_in_header", profile,
               headers(signature=sign(profile, WRONG_SECRET, ts, BODY) + ", " + good_sig), BODY, verified(),
               note="senders rotating secrets send one signature per secret"),
        vector("lowercase_names_and_padding", profile,
               [(sig_h.lower(), f"  {good_sig}\t"), (ts_h.lower(), f" {ts} ")], BODY, verified()),
        vector("duplicate_signature_header", profile, headers() + [(sig_h, good_sig)], BODY,
               rejected("malformed_signature")),
        vector("duplicate_timestamp_header", profile, headers() + [(ts_h, ts)], BODY,
               rejected("malformed_timestamp")),
        vector("signature_too_short", profile, headers(signature=good_sig[:-2]), BODY,
               rejected("malformed_signature")),
        vector("signature_not_hex", profile, headers(signature=good_sig[:-1] + "g"), BODY,
               rejected("malformed_signature")),
        vector("signature_empty", profile, headers(signature=""), BODY, rejected("malformed_signature")),
    ]
    if prefix:
        vs.append(vector("prefix_missing", profile, headers(signature=good_sig[len(prefix):]), BODY,
                         rejected("malformed_signature")))
    else:
        vs.append(vector("unexpected_prefix", profile, headers(signature="sha256=" + good_sig), BODY,
                         rejected("malformed_signature")))
    for label, value in (("timestamp_garbage", "yesterday"), ("timestamp_empty", ""),
                         ("timestamp_negative", "-1698765432000"), ("timestamp_nan", "NaN"),
                         ("timestamp_infinity", "Infinity"), ("timestamp_overflow", "9" * 40)):
        vs.append(vector(label, profile, headers(timestamp=value), BODY, rejected("malformed_timestamp")))
    if fmt == "millis":
        secs = str(NOW_MS // 1000)
        vs.append(vector("timestamp_in_seconds_not_millis", profile, headers(timestamp=secs), BODY,
                         rejected("timestamp_out_of_window"),
                         note="a seconds value read as milliseconds lies in January 1970"))
    if signs_ts:
        lossy = ts.encode() + b"\n" + NON_UTF8_BODY.decode("utf-8", errors="replace").encode("utf-8")
        vs.append(vector("seed_003_lossy_decoding_bug", profile,
                         headers(body=NON_UTF8_BODY, signature=mac_hex(SECRET, lossy)), NON_UTF8_BODY,
                         rejected("signature_mismatch"),
                         note="seed 003 decodes the body with replacement before signing; "
                              "the crate signs the exact bytes"))
    else:
        joined = b"".join(MULTILINE_BODY.splitlines())
        vs.append(vector("seed_004_joined_lines_bug", profile,
                         headers(body=MULTILINE_BODY, signature=prefix + mac_hex(SECRET, joined)),
                         MULTILINE_BODY, rejected("signature_mismatch"),
                         note="seed 004 joins body lines without their newlines before signing; "
                              "the crate signs the exact bytes"))
    vs.append(vector("zero_tolerance_exact_time", profile, headers(timestamp=write_timestamp(fmt, NOW_MS)),
                     BODY, verified(), tolerance_ms=0))
    return vs


def voice_gateway_vectors():
    """Cognigy Voice Gateway (jambonz): `Jambonz-Signature: t=<unix s>,v1=<hex>`,
    the HMAC of `<t>.<body>`; several v1 pairs allowed, other keys ignored."""
    p = "voice-gateway"
    h = "Jambonz-Signature"
    t = str(NOW_MS // 1000 - 100)

    def v1(secret=SECRET, timestamp=t, body=BODY):
        return mac_hex(secret, timestamp.encode("ascii") + b"." + body)

    def header(value):
        return [(h, value)]

    good = v1()
    vs = [
        vector("valid", p, header(f"t={t},v1={good}"), BODY, verified(), signer_reproduces=True),
        vector("wrong_secret", p, header(f"t={t},v1={v1(WRONG_SECRET)}"), BODY, rejected("signature_mismatch")),
        vector("tampered_body", p, header(f"t={t},v1={good}"), BODY.replace(b"Hello", b"Hellp"),
               rejected("signature_mismatch")),
        vector("tampered_timestamp", p, header(f"t={int(t) + 1},v1={good}"), BODY,
               rejected("signature_mismatch"), note="the timestamp is signed"),
        vector("uppercase_hex", p, header(f"t={t},v1={good.upper()}"), BODY, verified()),
        vector("signature_first", p, header(f"v1={good},t={t}"), BODY, verified()),
        vector("other_keys_ignored", p, header(f"t={t},v0=whatever,v1={good},foo=bar"), BODY, verified()),
        vector("spaces_around_pairs", p, header(f" t={t} , v1={good} "), BODY, verified()),
        vector("lowercase_header_name", p, [(h.lower(), f"t={t},v1={good}")], BODY, verified()),
        vector("rotation_two_v1", p, header(f"t={t},v1={v1(WRONG_SECRET)},v1={good}"), BODY, verified(),
               note="one v1 per active secret"),
        vector("rotation_second_secret", p, header(f"t={t},v1={v1(OTHER_SECRET)}"), BODY, verified(1),
               secrets=(SECRET, OTHER_SECRET)),
        vector("rotation_unknown_secret", p, header(f"t={t},v1={v1(WRONG_SECRET)}"), BODY,
               rejected("signature_mismatch"), secrets=(SECRET, OTHER_SECRET)),
        vector("missing_header", p, [], BODY, rejected("missing_signature")),
        vector("no_timestamp", p, header(f"v1={good}"), BODY, rejected("missing_timestamp")),
        vector("no_signature", p, header(f"t={t}"), BODY, rejected("missing_signature")),
        vector("only_v0", p, header(f"t={t},v0={good}"), BODY, rejected("missing_signature")),
        vector("timestamp_not_integer", p, header(f"t=soon,v1={good}"), BODY, rejected("malformed_timestamp")),
        vector("timestamp_negative", p, header(f"t=-{t},v1={good}"), BODY, rejected("malformed_timestamp")),
        vector("timestamp_with_fraction", p, header(f"t={t}.5,v1={v1(timestamp=t + '.5')}"), BODY,
               rejected("malformed_timestamp"), note="t is whole seconds, even when the signature covers the fraction"),
        vector("timestamp_empty", p, header(f"t=,v1={good}"), BODY, rejected("malformed_timestamp")),
        vector("timestamp_in_millis", p, header(f"t={NOW_MS},v1={v1(timestamp=str(NOW_MS))}"), BODY,
               rejected("timestamp_out_of_window"), note="milliseconds read as seconds lie far in the future"),
        vector("timestamp_repeated", p, header(f"t={t},t={t},v1={good}"), BODY, rejected("malformed_timestamp")),
        vector("signature_short", p, header(f"t={t},v1={good[:-2]}"), BODY, rejected("malformed_signature")),
        vector("signature_not_hex", p, header(f"t={t},v1={good[:-1]}g"), BODY, rejected("malformed_signature")),
        vector("signature_empty", p, header(f"t={t},v1="), BODY, rejected("malformed_signature")),
        vector("empty_pair", p, header(f"t={t},,v1={good}"), BODY, rejected("malformed_signature")),
        vector("trailing_comma", p, header(f"t={t},v1={good},"), BODY, rejected("malformed_signature")),
        vector("pair_without_equals", p, header(f"t={t},v1"), BODY, rejected("malformed_signature")),
        vector("too_many_signatures", p, header(f"t={t}" + f",v1={good}" * 5), BODY,
               rejected("malformed_signature")),
        vector("duplicate_header", p, header(f"t={t},v1={good}") * 2, BODY, rejected("malformed_signature")),
        vector("over_long_header", p, header(f"t={t},v1={good},x={'a' * 5000}"), BODY,
               rejected("malformed_signature")),
        vector("empty_value", p, header(""), BODY, rejected("malformed_signature")),
    ]
    for label, offset in (("past_outside_window", 301), ("future_outside_window", -301)):
        ts = str(NOW_MS // 1000 - offset)
        vs.append(vector(label, p, header(f"t={ts},v1={v1(timestamp=ts)}"), BODY,
                         rejected("timestamp_out_of_window")))
    for label, offset in (("past_edge_of_window", 300), ("future_edge_of_window", -300)):
        ts = str(NOW_MS // 1000 - offset)
        vs.append(vector(label, p, header(f"t={ts},v1={v1(timestamp=ts)}"), BODY, verified(),
                         signer_reproduces=True))
    for label, body in (("non_utf8_body", NON_UTF8_BODY), ("empty_body", b""),
                        ("multibyte_utf8_body", MULTIBYTE_BODY), ("multiline_body", MULTILINE_BODY)):
        vs.append(vector(label, p, header(f"t={t},v1={v1(body=body)}"), body, verified(),
                         signer_reproduces=True))
    reserialized = json.dumps(json.loads(MULTILINE_BODY), separators=(",", ":")).encode()
    vs.append(vector("reserialized_json_signature", p,
                     header(f"t={t},v1={v1(body=reserialized)}"), MULTILINE_BODY, rejected("signature_mismatch"),
                     note="jambonz's own verifier re-serialises the parsed JSON; the crate signs the exact "
                          "bytes received"))
    return vs


def basic_auth_vectors():
    p = "basic-auth"
    secret = "cognigy:s3cr3t pass"
    good = "Basic " + b64(secret.encode())
    return [
        vector("valid", p, [("Authorization", good)], BODY, verified(), secrets=(secret,), signer_reproduces=True),
        vector("wrong_password", p, [("Authorization", "Basic " + b64(b"cognigy:guess"))], BODY,
               rejected("signature_mismatch"), secrets=(secret,)),
        vector("missing_header", p, [], BODY, rejected("missing_signature"), secrets=(secret,)),
        vector("lowercase_scheme", p, [("authorization", "basic " + b64(secret.encode()))], BODY, verified(),
               secrets=(secret,)),
        vector("bearer_scheme", p, [("Authorization", "Bearer " + b64(secret.encode()))], BODY,
               rejected("malformed_signature"), secrets=(secret,)),
        vector("bad_base64", p, [("Authorization", "Basic !!not-base64!!")], BODY,
               rejected("malformed_signature"), secrets=(secret,)),
        vector("duplicate_header", p, [("Authorization", good), ("Authorization", good)], BODY,
               rejected("malformed_signature"), secrets=(secret,)),
        vector("rotation_second_secret", p, [("Authorization", "Basic " + b64(b"cognigy:new"))], BODY,
               verified(1), secrets=(secret, "cognigy:new")),
        vector("prefix_of_password", p, [("Authorization", "Basic " + b64(b"cognigy:s3cr3t"))], BODY,
               rejected("signature_mismatch"), secrets=(secret,)),
        vector("credentials_without_colon", p, [("Authorization", "Basic " + b64(b"cognigy"))], BODY,
               rejected("malformed_signature"), secrets=(secret,),
               note="RFC 7617: the decoded credentials are user-id ':' password"),
    ]


def api_key_vectors():
    p = "api-key"
    key = "ak_live_0123456789abcdef"
    return [
        vector("valid", p, [("X-Webhook-Key", key)], BODY, verified(), secrets=(key,), signer_reproduces=True),
        vector("wrong_key", p, [("X-Webhook-Key", key[:-1] + "0")], BODY, rejected("signature_mismatch"),
               secrets=(key,)),
        vector("missing_header", p, [], BODY, rejected("missing_signature"), secrets=(key,)),
        vector("padded_and_lowercase_name", p, [("x-webhook-key", f"  {key} ")], BODY, verified(), secrets=(key,)),
        vector("duplicate_header", p, [("X-Webhook-Key", key), ("X-Webhook-Key", key)], BODY,
               rejected("malformed_signature"), secrets=(key,)),
        vector("empty_value", p, [("X-Webhook-Key", "")], BODY, rejected("malformed_signature"), secrets=(key,)),
        vector("prefix_of_key", p, [("X-Webhook-Key", key[:10])], BODY, rejected("signature_mismatch"),
               secrets=(key,)),
        vector("rotation_second_key", p, [("X-Webhook-Key", "ak_new")], BODY, verified(1),
               secrets=(key, "ak_new")),
    ]


def main():
    vectors = []
    for profile in HMAC_PROFILES:
        vectors += hmac_vectors(profile)
    vectors += voice_gateway_vectors() + basic_auth_vectors() + api_key_vectors()
    names = [v["name"] for v in vectors]
    assert len(names) == len(set(names)), "vector names must be unique"
    out = {
        "description": "Known-answer vectors for cognigy-webhook, produced by generate_vectors.py "
                       "with Python's hmac/hashlib, independently of the crate.",
        "now_unix_ms": NOW_MS,
        "vectors": vectors,
    }
    path = pathlib.Path(__file__).with_name("vectors.json")
    path.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(vectors)} vectors to {path}")


if __name__ == "__main__":
    main()
