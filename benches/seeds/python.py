"""Seed 003's verification (Python hmac), timed in-process: the canonical
string timestamp + "\\n" + body decoded as UTF-8 (with replacement, as the
seed does) and re-encoded, HMAC-SHA256 hex, compare_digest, and the seconds
timestamp check. Prints "python <size> <ns>", the median of 7 rounds of ns
per verification."""

import hashlib
import hmac
import statistics
import time

SECRET = "benchmark-shared-secret-0123456789"


def compute_expected_signature(shared_secret, timestamp, payload):
    canonical_string = f"{timestamp}\n{payload.decode('utf-8', errors='replace')}"
    return hmac.new(
        key=shared_secret.encode("utf-8"),
        msg=canonical_string.encode("utf-8"),
        digestmod=hashlib.sha256,
    ).hexdigest()


def verify(signature, timestamp, payload):
    if abs(time.time() - float(timestamp)) > 60:
        return False
    expected = compute_expected_signature(SECRET, timestamp, payload)
    return hmac.compare_digest(signature, expected)


for size in (1024, 16384):
    body = b"x" * size
    timestamp = f"{time.time():.3f}"
    signature = compute_expected_signature(SECRET, timestamp, body)
    iterations = 50000 if size <= 1024 else 10000
    for _ in range(iterations):
        verify(signature, timestamp, body)
    rounds = []
    for _ in range(7):
        start = time.perf_counter_ns()
        for _ in range(iterations):
            if not verify(signature, timestamp, body):
                raise SystemExit("verification failed")
        rounds.append((time.perf_counter_ns() - start) / iterations)
    print(f"python {size} {statistics.median(rounds):.0f}")
