// Consumes the deliveries `cognigy-webhook gateway --redis-stream` enqueues.
//
// Each stream entry is one verified delivery: `body` (the exact bytes that
// were signed), `headers` (JSON of the received headers), `profile`,
// `key_index`, `request_id`, `received_at`. This consumer reads them with a
// consumer group (XREADGROUP), handles each one, then acknowledges it
// (XACK), so a delivery whose handling crashed is read again by the next
// start.
//
//   REDIS_URL=redis://127.0.0.1:6379/ STREAM=cognigy-webhooks node consumer.js [--max N]
//
// It prints one JSON line per delivery (the body in base64: it need not be
// text) and stops after N deliveries when --max is given.
'use strict';

const os = require('node:os');
const { createClient, commandOptions } = require('redis');

// Your code goes here. `fields.body` is a Buffer, exactly as signed.
function handle(id, fields) {
  console.log(JSON.stringify({
    id,
    profile: fields.profile.toString(),
    key_index: Number(fields.key_index.toString()),
    request_id: fields.request_id.toString(),
    received_at: fields.received_at.toString(),
    headers: JSON.parse(fields.headers.toString()),
    body_base64: fields.body.toString('base64'),
  }));
}

async function main() {
  const maxIndex = process.argv.indexOf('--max');
  const max = maxIndex > 0 ? Number(process.argv[maxIndex + 1]) : 0;
  const url = process.env.REDIS_URL || 'redis://127.0.0.1:6379/';
  const stream = process.env.STREAM || 'cognigy-webhooks';
  const group = process.env.GROUP || 'webhook-consumers';
  const consumer = process.env.CONSUMER || os.hostname();

  const client = createClient({ url });
  client.on('error', (error) => console.error('redis:', error.message));
  await client.connect();
  try {
    await client.xGroupCreate(stream, group, '0', { MKSTREAM: true });
  } catch (error) {
    if (!String(error.message).includes('BUSYGROUP')) throw error;
  }

  let handled = 0;
  // First what this consumer read but never acknowledged, then new entries.
  let start = '0';
  while (max === 0 || handled < max) {
    const reply = await client.xReadGroup(
      commandOptions({ returnBuffers: true }),
      group,
      consumer,
      { key: stream, id: start },
      { COUNT: 10, BLOCK: 1000 },
    );
    const entries = reply ? reply[0].messages : [];
    if (start === '0' && entries.length === 0) {
      start = '>';
      continue;
    }
    for (const { id, message } of entries) {
      const entryId = id.toString();
      handle(entryId, message);
      await client.xAck(stream, group, entryId);
      handled += 1;
      if (max && handled >= max) break;
    }
  }
  await client.quit();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
