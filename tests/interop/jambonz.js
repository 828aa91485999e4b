// Interop with jambonz, the platform Cognigy Voice Gateway is built on.
//
//   node jambonz.js verify <secret> <Jambonz-Signature value> <body file>
//     runs @jambonz/node-client's own middleware,
//     WebhookResponse.verifyJambonzSignature(secret), on a request carrying
//     that header and the body's exact bytes; prints "accepted" (exit 0) or
//     "refused: <why>" (exit 1).
//   node jambonz.js sign <secret> <unix seconds> <body file>
//     prints the header value that jambonz's feature server sends:
//     t=<seconds>,v1=<hex HMAC-SHA256 of "<seconds>.<body>">.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const {WebhookResponse} = require('@jambonz/node-client');

const [mode, secret, value, bodyFile] = process.argv.slice(2);
const body = fs.readFileSync(bodyFile);

if (mode === 'verify') {
  const request = {
    url: '/hook',
    body,
    get: (name) => (name.toLowerCase() === 'jambonz-signature' ? value : undefined),
  };
  try {
    WebhookResponse.verifyJambonzSignature(secret)(request, {}, () => {
      console.log('accepted');
      process.exit(0);
    });
  } catch (err) {
    console.log(`refused: ${err.message}`);
    process.exit(1);
  }
} else if (mode === 'sign') {
  const timestamp = value;
  const signature = crypto
    .createHmac('sha256', secret)
    .update(`${timestamp}.${body.toString('utf8')}`, 'utf8')
    .digest('hex');
  console.log(`t=${timestamp},v1=${signature}`);
} else {
  console.error('usage: jambonz.js verify|sign …');
  process.exit(2);
}
