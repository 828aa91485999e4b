#!/usr/bin/env bash
# Loopback HTTP benchmark of the adapters: for axum (tower layer) and
# actix-web (middleware), the same handler on /plain (no verification),
# /mac (only the bare HMAC of the body: the floor for any verifier), /inline
# (the handler verifies with the core) and /verified (behind the adapter,
# no observer), and for axum /audited (behind the layer with audit events,
# metrics and statistics on: the cost of observability is /audited ÷
# /verified), with a signed 1 KiB body, loaded by wrk, all in one run. Each server runs on one thread pinned to CPU 0 and wrk on CPU 1, so
# the ratios measure the server's own cost of verifying.
#
#   benches/http_load.sh [seconds per run, default 4] [rounds, default 8] [frameworks, default "axum actix"]
#
# The routes alternate within each round, so drift in the machine's speed
# falls on all of them alike. Prints, per framework, requests/s and p50/p99
# latency per route (medians over the rounds) and the ratios to /plain
# (median of the per-round ratios). Also the server's CPU time per request
# (user + system, from /proc), whose ratio to /plain's estimates the same
# throughput ratio with much less of the noise of a shared machine (a
# neighbour that slows the loopback or the load generator changes requests/s
# but not the server's work per request). Installs wrk from Debian when
# missing.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-4}
rounds=${2:-8}
frameworks=${3:-axum actix}
port=18080
secret=bench-secret
routes_of() { if [ "$1" = axum ]; then echo "plain mac inline verified audited"; else echo "plain mac inline verified"; fi; }

if ! command -v wrk >/dev/null; then
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi

workdir=$(mktemp -d)
server=
cleanup() {
  [ -z "$server" ] || kill "$server" 2>/dev/null || true
  rm -rf "$workdir"
}
trap cleanup EXIT

# A 1 KiB JSON body signed for hex-millis with Python's hmac (independently
# of the crate), timestamped now: valid for the profile's ±300 s, so it is
# signed afresh for every round.
lua=$workdir/request.lua
sign_request() {
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
}

# Sends the request once with Python and prints the status.
status_of() {
  python3 - "$lua" "$port" "$1" <<'PY'
import json, re, sys, urllib.error, urllib.request
lua = open(sys.argv[1]).read()
body = json.loads(re.search(r"wrk.body = (.*)\n", lua).group(1))
headers = dict(re.findall(r'wrk.headers\["([^"]+)"\] = "([^"]*)"', lua))
request = urllib.request.Request(f"http://127.0.0.1:{sys.argv[2]}/{sys.argv[3]}", body.encode(), headers, method="POST")
try:
    print(urllib.request.urlopen(request).status)
except urllib.error.HTTPError as error:
    print(error.code)
PY
}

run() { taskset -c 1 wrk -t1 -c32 -d"$2"s --latency -s "$lua" "http://127.0.0.1:$port/$1"; }

results=$workdir/results
# The server's CPU time so far (user + system), in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$server/stat"; }
ticks_per_second=$(getconf CLK_TCK)
for framework in $frameworks; do
  routes=$(routes_of "$framework")
  features=$framework
  [ "$framework" = axum ] && features=axum,audit
  cargo build --release --quiet --features "$features" --example "load_target_$framework"
  COGNIGY_WEBHOOK_SECRET=$secret PORT=$port taskset -c 0 "target/release/examples/load_target_$framework" >/dev/null &
  server=$!
  for _ in $(seq 100); do
    (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null && break
    sleep 0.1
  done
  sign_request
  for route in $routes; do
    status=$(status_of "$route")
    [ "$status" = 200 ] || { echo "$framework /$route answered $status" >&2; exit 1; }
    run "$route" 2 >/dev/null # warm-up
  done
  for round in $(seq "$rounds"); do
    sign_request
    for route in $routes; do
      before=$(cpu_ticks)
      out=$(run "$route" "$duration")
      cpu=$(($(cpu_ticks) - before))
      if grep -qE "Non-2xx|Socket errors" <<<"$out"; then
        echo "$framework /$route: $(grep -E 'Non-2xx|Socket errors' <<<"$out")" >&2
        exit 1
      fi
      awk -v framework="$framework" -v route="$route" -v round="$round" \
          -v cpu="$cpu" -v hz="$ticks_per_second" '
        /requests in/ {requests = $1}
        /Requests\/sec/ {rps = $2}
        $1 == "50%" {p50 = $2}
        $1 == "99%" {p99 = $2}
        END {print framework, route, round, rps, p50, p99, cpu / hz / requests * 1e6}' <<<"$out" >>"$results"
    done
  done
  kill "$server"
  wait "$server" 2>/dev/null || true
  server=
done

python3 - "$results" "$duration" "$rounds" <<'PY'
import statistics, sys

rows = [line.split() for line in open(sys.argv[1])]


def ms(text):
    for unit, scale in (("us", 1e-3), ("ms", 1.0), ("s", 1e3)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * scale
    return float(text)


for framework in dict.fromkeys(r[0] for r in rows):
    mine = [r for r in rows if r[0] == framework]
    by_route = {route: [r for r in mine if r[1] == route] for route in dict.fromkeys(r[1] for r in mine)}
    print(f"\n{framework}: median of {sys.argv[3]} rounds x {sys.argv[2]} s per route")
    print("| route | requests/s | p50 ms | p99 ms | ratio to /plain | server CPU µs/request | CPU ratio (/plain ÷ route) |")
    print("|---|---|---|---|---|---|---|")
    for route, runs in by_route.items():
        ratios = [float(r[3]) / float(p[3]) for p, r in zip(by_route["plain"], runs)]
        cpu_ratios = [float(p[6]) / float(r[6]) for p, r in zip(by_route["plain"], runs)]
        print(
            f"| /{route} | {statistics.median(float(r[3]) for r in runs):,.0f} "
            f"| {statistics.median(ms(r[4]) for r in runs):.3f} "
            f"| {statistics.median(ms(r[5]) for r in runs):.3f} "
            f"| {statistics.median(ratios):.3f} (rounds: {', '.join(f'{x:.2f}' for x in ratios)}) "
            f"| {statistics.median(float(r[6]) for r in runs):.2f} "
            f"| {statistics.median(cpu_ratios):.3f} (rounds: {', '.join(f'{x:.2f}' for x in cpu_ratios)}) |"
        )
    for name, index in (("requests/s", 3), ("server CPU", 6)):
        pairs = zip(by_route["inline"], by_route["verified"])
        ratios = [
            float(v[index]) / float(i[index]) if index == 3 else float(i[index]) / float(v[index])
            for i, v in pairs
        ]
        print(
            f"\n/verified ÷ /inline ({name}; the middleware against the same check in the handler): "
            f"median {statistics.median(ratios):.3f} (rounds: {', '.join(f'{x:.3f}' for x in ratios)})"
        )
    if "audited" in by_route:
        ratios = [float(a[3]) / float(v[3]) for v, a in zip(by_route["verified"], by_route["audited"])]
        print(
            f"\n/audited ÷ /verified (audit events + metrics + stats on vs off): median {statistics.median(ratios):.3f} "
            f"(rounds: {', '.join(f'{x:.3f}' for x in ratios)})"
        )
PY
