"""Consumes the deliveries `cognigy-webhook gateway --redis-stream` enqueues.

Each stream entry is one verified delivery: `body` (the exact bytes that
were signed), `headers` (JSON of the received headers), `profile`,
`key_index`, `request_id`, `received_at`. This consumer reads them with a
consumer group (XREADGROUP), handles each one, then acknowledges it (XACK),
so a delivery whose handling crashed is read again by the next start.

    REDIS_URL=redis://127.0.0.1:6379/ STREAM=cognigy-webhooks python3 consumer.py [--max N]

It prints one JSON line per delivery (the body in base64: it need not be
text) and stops after N deliveries when --max is given.
"""

import argparse
import base64
import json
import os
import socket

import redis


def handle(entry_id, fields):
    """Your code goes here. The body is bytes, exactly as signed."""
    body = fields[b"body"]
    print(
        json.dumps(
            {
                "id": entry_id.decode(),
                "profile": fields[b"profile"].decode(),
                "key_index": int(fields[b"key_index"]),
                "request_id": fields[b"request_id"].decode(),
                "received_at": fields[b"received_at"].decode(),
                "headers": json.loads(fields[b"headers"]),
                "body_base64": base64.b64encode(body).decode(),
            }
        ),
        flush=True,
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--max", type=int, default=0, help="stop after this many deliveries")
    args = parser.parse_args()
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/")
    stream = os.environ.get("STREAM", "cognigy-webhooks")
    group = os.environ.get("GROUP", "webhook-consumers")
    consumer = os.environ.get("CONSUMER", socket.gethostname())

    r = redis.Redis.from_url(url)
    try:
        r.xgroup_create(stream, group, id="0", mkstream=True)
    except redis.ResponseError as error:
        if "BUSYGROUP" not in str(error):
            raise

    handled = 0
    # First what this consumer read but never acknowledged, then new entries.
    start = "0"
    while args.max == 0 or handled < args.max:
        reply = r.xreadgroup(group, consumer, {stream: start}, count=10, block=1000)
        entries = reply[0][1] if reply else []
        if start == "0" and not entries:
            start = ">"
            continue
        for entry_id, fields in entries:
            handle(entry_id, fields)
            r.xack(stream, group, entry_id)
            handled += 1
            if args.max and handled >= args.max:
                break


if __name__ == "__main__":
    main()
