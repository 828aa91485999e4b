#!/usr/bin/env bash
# Loopback HTTP benchmark of the tower layer: the same axum handler with and
# without VerifyWebhookLayer (and verifying inline, for reference), a signed
# 1 KiB body, loaded by wrk in one run.
# The server runs on one Tokio thread pinned to CPU 0, wrk on CPU 1, so the
# ratio measures the server's own cost of verifying.
#
#   benches/http_load.sh [seconds per run, default 4] [rounds, default 8]
#
# Prints requests/s and p50/p99 latency per route (medians over the rounds,
# which alternate the routes) and the ratio verified / plain. Installs wrk
# from Debian when missing (needs root).
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-4}
rounds=${2:-8}
port=18080
secret=bench-secret

if ! command -v wrk >/dev/null; then
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi

cargo build --release --quiet --features axum --example load_target
COGNIGY_WEBHOOK_SECRET=$secret PORT=$port taskset -c 0 target/release/examples/load_target &
server=$!
trap 'kill $server 2>/dev/null || true; rm -f "$lua"' EXIT
for _ in $(seq 50); do
  (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null && break
  sleep 0.1
done

# A 1 KiB JSON body signed for hex-millis with Python's hmac (independently
# of the crate), timestamped now: valid for the profile's ±300 s.
lua=$(mktemp --suffix=.lua)
SECRET=$secret python3 - "$lua" <<'PY'
import hashlib, hmac, json, os, sys, time
head, tail = '{"messageId":"m-1","sessionId":"s-1","text":"', '"}'
body = head + "x" * (1024 - len(head) - len(tail)) + tail
assert len(body) == 1024
ts = str(int(time.time() * 1000))
sig = hmac.new(os.environ["SECRET"].encode(), body.encode(), hashlib.sha256).hexdigest()
with open(sys.argv[1], "w") as f:
    f.write('wrk.method = "POST"\n')
    f.write(f"wrk.body = {json.dumps(body)}\n")
    f.write('wrk.headers["Content-Type"] = "application/json"\n')
    f.write(f'wrk.headers["X-Cognigy-Signature"] = "{sig}"\n')
    f.write(f'wrk.headers["X-Cognigy-Timestamp"] = "{ts}"\n')
PY

# Check both routes accept the request before loading them.
for route in plain inline verified; do
  status=$(python3 - "$lua" "$port" "$route" <<'PY'
import re, sys, urllib.request
lua = open(sys.argv[1]).read()
body = __import__("json").loads(re.search(r"wrk.body = (.*)\n", lua).group(1))
headers = dict(re.findall(r'wrk.headers\["([^"]+)"\] = "([^"]*)"', lua))
req = urllib.request.Request(f"http://127.0.0.1:{sys.argv[2]}/{sys.argv[3]}", body.encode(), headers, method="POST")
print(urllib.request.urlopen(req).status)
PY
)
  [ "$status" = 200 ] || { echo "/$route answered $status" >&2; exit 1; }
done

run() { taskset -c 1 wrk -t1 -c32 -d"$2"s --latency -s "$lua" "http://127.0.0.1:$port/$1"; }
for route in plain inline verified; do
  run "$route" 2 >/dev/null  # warm-up
done
# Alternate the routes over several rounds, so that drift in the machine's
# speed falls on both alike; report each route's median round.
results=$(mktemp)
for round in $(seq "$rounds"); do
  for route in plain inline verified; do
    out=$(run "$route" "$duration")
    if grep -qE "Non-2xx|Socket errors" <<<"$out"; then
      echo "/$route: $(grep -E 'Non-2xx|Socket errors' <<<"$out")" >&2
      exit 1
    fi
    awk -v route="$route" -v round="$round" '
      /Requests\/sec/ {rps = $2}
      $1 == "50%" {p50 = $2}
      $1 == "99%" {p99 = $2}
      END {print route, round, rps, p50, p99}' <<<"$out" >>"$results"
  done
done
python3 - "$results" "$duration" "$rounds" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
def ms(text):
    value = float(text.rstrip("usm"))
    return value / 1000 if text.endswith("us") else value * 1000 if text.endswith("s") and not text.endswith("ms") else value
median = {}
print(f"| route | requests/s (median of {sys.argv[3]} x {sys.argv[2]} s) | p50 ms | p99 ms |")
print("|---|---|---|---|")
for route in ("plain", "inline", "verified"):
    mine = [r for r in rows if r[0] == route]
    rps = statistics.median(float(r[2]) for r in mine)
    median[route] = rps
    p50 = statistics.median(ms(r[3]) for r in mine)
    p99 = statistics.median(ms(r[4]) for r in mine)
    print(f"| /{route} | {rps:,.0f} | {p50:.3f} | {p99:.3f} |")
def report(route):
    ratios = [float(v[2]) / float(p[2]) for p, v in zip([r for r in rows if r[0] == "plain"], [r for r in rows if r[0] == route])]
    print(f"{route} / plain requests per second: {statistics.median(ratios):.3f} "
          f"(median of the per-round ratios; ratio of medians {median[route] / median['plain']:.3f}; "
          f"per round: {', '.join(f'{r:.3f}' for r in ratios)})")
print()
report("verified")
report("inline")
PY
rm -f "$results"
