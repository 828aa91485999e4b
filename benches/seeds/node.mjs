// Seed 002's verification (Node.js crypto), timed in-process: HMAC-SHA256
// over the raw body, hex with the `sha256=` prefix, timingSafeEqual on the
// strings, and the millisecond timestamp check. Prints "node <size> <ns>",
// the median of 7 rounds of ns per verification.
import crypto from 'crypto';

const secret = 'benchmark-shared-secret-0123456789';

function computeExpectedSignature(secret, rawBody) {
  const hmac = crypto.createHmac('sha256', secret);
  hmac.update(rawBody);
  return `sha256=${hmac.digest('hex')}`;
}

function verifySignature(receivedSignature, expectedSignature) {
  const a = Buffer.from(receivedSignature);
  const b = Buffer.from(expectedSignature);
  if (a.length !== b.length) return false;
  return crypto.timingSafeEqual(a, b);
}

function validateTimestamp(timestampHeader, driftMs) {
  const requestTime = parseInt(timestampHeader, 10);
  if (isNaN(requestTime)) return { valid: false };
  const drift = Math.abs(Date.now() - requestTime);
  return drift > driftMs ? { valid: false } : { valid: true, drift };
}

for (const size of [1024, 16384]) {
  const body = Buffer.alloc(size, 'x');
  const timestamp = String(Date.now());
  const signature = computeExpectedSignature(secret, body);
  const verify = () =>
    verifySignature(signature, computeExpectedSignature(secret, body)) &&
    validateTimestamp(timestamp, 30000).valid;
  const iterations = size <= 1024 ? 100000 : 20000;
  for (let i = 0; i < iterations; i++) verify(); // warm-up
  const rounds = [];
  for (let round = 0; round < 7; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) {
      if (!verify()) throw new Error('verification failed');
    }
    rounds.push(Number(process.hrtime.bigint() - start) / iterations);
  }
  rounds.sort((a, b) => a - b);
  console.log(`node ${size} ${rounds[3].toFixed(0)}`);
}
