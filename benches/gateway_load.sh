#!/usr/bin/env bash
# Loopback benchmark of `cognigy-webhook gateway`, all in one run:
#
# - forward mode (with and without its audit lines) against a bare reverse proxy on the same stack with no
#   verification (examples/bench_proxy.rs), both in front of the same
#   trivial upstream: requests/s, p50/p99, the ratio gateway ÷ bare and the
#   latency the gateway adds at p99; between the two, the bare proxy reading
#   the whole body first ("buffered"), also verifying it in its handler
#   ("inline"), and behind the library's layer instead ("layered"), which
#   shows what each step costs;
# - stream mode: deliveries/s and p50/p99 time to the 202, Redis on loopback,
#   at 32 connections (throughput) and at 4 (latency: a sender that is not
#   saturating the gateway).
#
#   benches/gateway_load.sh [seconds per run, default 5] [rounds, default 5]
#
# The proxies and the upstream run with one Tokio worker each, pinned to
# CPU 0 (Redis too); wrk runs on CPU 1 with 32 connections and sends one
# signed 1 KiB delivery (hex-millis, signed with Python's hmac). wrk repeats
# the same request, so the gateway runs with `--replay off` (replay
# protection is measured by the library's own benches); everything else is
# as deployed: verification, audit line per request (to /dev/null),
# metrics. Installs wrk and redis-server from Debian when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-5}
rounds=${2:-5}
secret=bench-gateway-secret

need=()
command -v wrk >/dev/null || need+=(wrk)
command -v redis-server >/dev/null || need+=(redis-server)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

cargo build --release --quiet --features gateway --bin cognigy-webhook --example bench_proxy
bin=target/release/cognigy-webhook
proxy=target/release/examples/bench_proxy

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
workdir=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$workdir"
}
trap cleanup EXIT
wait_port() {
  for _ in $(seq 100); do
    (echo >/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nothing listens on $1" >&2
  exit 1
}

upstream_port=$(free_port) bare_port=$(free_port) gateway_port=$(free_port) quiet_port=$(free_port)
buffered_port=$(free_port) inline_port=$(free_port) layered_port=$(free_port)
stream_port=$(free_port) redis_port=$(free_port)
export TOKIO_WORKER_THREADS=1 GW_SECRET=$secret
taskset -c 0 "$proxy" upstream "127.0.0.1:$upstream_port" & pids+=($!)
taskset -c 0 "$proxy" proxy "127.0.0.1:$bare_port" "127.0.0.1:$upstream_port" & pids+=($!)
taskset -c 0 "$proxy" buffered "127.0.0.1:$buffered_port" "127.0.0.1:$upstream_port" & pids+=($!)
taskset -c 0 "$proxy" inline "127.0.0.1:$inline_port" "127.0.0.1:$upstream_port" & pids+=($!)
taskset -c 0 "$proxy" layered "127.0.0.1:$layered_port" "127.0.0.1:$upstream_port" & pids+=($!)
taskset -c 0 "$bin" gateway --listen "127.0.0.1:$gateway_port" --profile hex-millis \
  --secret-env GW_SECRET --upstream "http://127.0.0.1:$upstream_port" --replay off \
  >/dev/null 2>&1 & pids+=($!)
taskset -c 0 "$bin" gateway --listen "127.0.0.1:$quiet_port" --profile hex-millis \
  --secret-env GW_SECRET --upstream "http://127.0.0.1:$upstream_port" --replay off \
  --audit-log off >/dev/null 2>&1 & pids+=($!)
taskset -c 0 redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no \
  --daemonize no --logfile "$workdir/redis.log" & pids+=($!)
wait_port "$redis_port"
taskset -c 0 "$bin" gateway --listen "127.0.0.1:$stream_port" --profile hex-millis \
  --secret-env GW_SECRET --redis-stream "redis://127.0.0.1:$redis_port/" --stream bench \
  --stream-maxlen 10000 --replay off >/dev/null 2>&1 & pids+=($!)
for port in $upstream_port $bare_port $buffered_port $inline_port $layered_port $gateway_port $quiet_port \
  $stream_port; do
  wait_port "$port"
done

lua=$workdir/request.lua
sign_request() {
  SECRET=$secret python3 - "$lua" <<'PY'
import hashlib, hmac, json, os, sys, time
head, tail = '{"messageId":"m-1","sessionId":"s-1","text":"', '"}'
body = head + "x" * (1024 - len(head) - len(tail)) + tail
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
run() { taskset -c 1 wrk -t1 -c"${3:-32}" -d"$2"s --latency -s "$lua" "http://127.0.0.1:$1/webhooks/cognigy"; }

results=$workdir/results
sign_request
for port in $bare_port $buffered_port $inline_port $layered_port $gateway_port $quiet_port $stream_port; do
  run "$port" 2 >/dev/null # warm-up
done
for round in $(seq "$rounds"); do
  sign_request
  for target in bare:$bare_port buffered:$buffered_port inline:$inline_port layered:$layered_port \
    gateway:$gateway_port quiet:$quiet_port stream:$stream_port stream4:$stream_port; do
    connections=32
    [ "${target%%:*}" = stream4 ] && connections=4
    out=$(run "${target#*:}" "$duration" "$connections")
    if grep -qE "Non-2xx|Socket errors" <<<"$out"; then
      echo "${target%%:*}: $(grep -E 'Non-2xx|Socket errors' <<<"$out")" >&2
      exit 1
    fi
    awk -v name="${target%%:*}" -v round="$round" '
      /Requests\/sec/ {rps = $2}
      $1 == "50%" {p50 = $2}
      $1 == "99%" {p99 = $2}
      END {print name, round, rps, p50, p99}' <<<"$out" >>"$results"
  done
done

python3 - "$results" "$duration" "$rounds" <<'PY'
import statistics, sys

rows = [line.split() for line in open(sys.argv[1])]


def ms(text):
    for unit, scale in (("us", 1e-3), ("ms", 1.0), ("s", 1e3)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * scale
    return float(text)


names = ("bare", "buffered", "inline", "layered", "gateway", "quiet", "stream", "stream4")
by = {name: [r for r in rows if r[0] == name] for name in names}
print(f"median of {sys.argv[3]} rounds x {sys.argv[2]} s, 1 KiB signed body")
print("| target | requests/s | p50 ms | p99 ms |")
print("|---|---|---|---|")
labels = {
    "bare": "bare proxy (no verification), 32 connections",
    "buffered": "bare proxy reading the whole body first, 32 connections",
    "inline": "bare proxy reading and verifying in its handler, 32 connections",
    "layered": "bare proxy behind VerifyWebhookLayer, 32 connections",
    "gateway": "gateway, forward mode, 32 connections",
    "quiet": "gateway, forward mode, --audit-log off, 32 connections",
    "stream": "gateway, stream mode (XADD), 32 connections",
    "stream4": "gateway, stream mode (XADD), 4 connections",
}
for name, runs in by.items():
    print(
        f"| {labels[name]} | {statistics.median(float(r[2]) for r in runs):,.0f} "
        f"| {statistics.median(ms(r[3]) for r in runs):.3f} | {statistics.median(ms(r[4]) for r in runs):.3f} |"
    )


def ratios(name):
    return [float(g[2]) / float(b[2]) for b, g in zip(by["bare"], by[name])]


def line(label, values):
    print(f"{label}: median {statistics.median(values):.3f} (rounds: {', '.join(f'{x:.3f}' for x in values)})")


print()
line("buffered ÷ bare proxy, requests/s", ratios("buffered"))
line("inline verification ÷ bare proxy", ratios("inline"))
line("behind the layer ÷ bare proxy", ratios("layered"))
line("forward mode ÷ bare proxy", ratios("gateway"))
line("forward mode without audit lines ÷ bare proxy", ratios("quiet"))
added = [ms(g[4]) - ms(b[4]) for b, g in zip(by["bare"], by["gateway"])]
print(
    f"p99 latency the gateway adds: median {statistics.median(added):+.3f} ms "
    f"(rounds: {', '.join(f'{x:+.3f}' for x in added)})"
)
PY
