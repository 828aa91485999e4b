#!/usr/bin/env bash
# How much an unauthenticated flood grows a receiver: 150 concurrent uploads
# of 1 MiB with no signature header against each example receiver
# (axum_receiver, actix_receiver; default settings, in-memory replay store),
# measuring the server's resident memory (VmRSS) before, at its peak while
# the flood runs (sampled every 10 ms), and after. The limit the crate holds
# itself to: growth <= 48 MiB.
#
#   benches/flood_rss.sh [uploads, default 150] [receivers, default "axum actix"]
#
# Each upload sends its head, then its body in 64 KiB pieces, and reads the
# answer, as a client that does not wait for the answer before sending
# would; every answer must be 400 missing_signature.
set -euo pipefail
cd "$(dirname "$0")/.."
uploads=${1:-150}
receivers=${2:-axum actix}
port=18091

cargo build --release --quiet --features axum,actix,stores,siem \
  --example axum_receiver --example actix_receiver

server=
cleanup() { [ -z "$server" ] || kill "$server" 2>/dev/null || true; }
trap cleanup EXIT

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

for receiver in $receivers; do
  COGNIGY_WEBHOOK_SECRET=flood-secret COGNIGY_PROFILE=hex-millis HOST=127.0.0.1 PORT=$port \
    RUST_LOG=off "target/release/examples/${receiver}_receiver" >/dev/null 2>&1 &
  server=$!
  for _ in $(seq 100); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null && break
    sleep 0.1
  done
  before=$(rss_kib "$server")
  peak_file=$(mktemp)
  ( peak=0
    while kill -0 "$server" 2>/dev/null && [ ! -e "$peak_file.stop" ]; do
      now=$(rss_kib "$server" || echo 0)
      [ "$now" -gt "$peak" ] && peak=$now && echo "$peak" >"$peak_file"
      sleep 0.01
    done ) &
  sampler=$!
  answers=$(python3 - "$port" "$uploads" <<'PY'
import asyncio, collections, sys
port, uploads = int(sys.argv[1]), int(sys.argv[2])
body = b"x" * (1024 * 1024)

async def upload():
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"POST /webhooks/cognigy HTTP/1.1\r\nhost: flood\r\n"
                 b"content-type: application/json\r\n"
                 + f"content-length: {len(body)}\r\n\r\n".encode())
    async def send():
        try:
            for start in range(0, len(body), 65536):
                writer.write(body[start:start + 65536])
                await writer.drain()
        except OSError:
            pass
    sending = asyncio.ensure_future(send())
    try:
        answer = await asyncio.wait_for(reader.read(4096), 30)
    except Exception as error:
        answer = repr(error).encode()
    await sending
    writer.close()
    text = answer.decode(errors="replace")
    status = text.split(" ", 2)[1] if text.startswith("HTTP/1.1 ") else "none"
    return status + (" missing_signature" if "missing_signature" in text else "")

async def main():
    results = await asyncio.gather(*(upload() for _ in range(uploads)))
    print(dict(collections.Counter(results)))

asyncio.run(main())
PY
)
  sleep 0.5
  touch "$peak_file.stop"; wait "$sampler" 2>/dev/null || true
  peak=$(cat "$peak_file" 2>/dev/null || echo "$before")
  after=$(rss_kib "$server")
  rm -f "$peak_file" "$peak_file.stop"
  kill "$server"; wait "$server" 2>/dev/null || true; server=
  printf '%-6s %d uploads: RSS before %6.1f MiB, peak %6.1f MiB, after %6.1f MiB, growth %5.1f MiB; answers %s\n' \
    "$receiver" "$uploads" "$(echo "$before/1024" | bc -l)" "$(echo "$peak/1024" | bc -l)" \
    "$(echo "$after/1024" | bc -l)" "$(echo "($peak-$before)/1024" | bc -l)" "$answers"
done
