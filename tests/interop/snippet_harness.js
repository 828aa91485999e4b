// Runs code that signs deliveries the way a user would run it, and sends
// one delivery to a receiver; prints the receiver's answer as JSON
// ({status, body}). Used by tests/snippets.rs.
//
//   node snippet_harness.js module      <module.js>      <url> <secret> <profile> <body>
//   node snippet_harness.js transformer <transformer.ts> <url> <secret> <profile> <body>
//   node snippet_harness.js extension   <build/module.js> <url> <secret> <profile> <body>
//   node snippet_harness.js code-node   <code-node.js>    <url> <secret> <profile> <body>
//
// The transformer is transpiled with TypeScript and run in a fresh context
// holding what Cognigy's transformer sandbox documents: `crypto`,
// `httpRequest` (options of the npm `request` package) and
// `createWebhookTransformer`. The extension's node is called as Cognigy
// calls it: `function({cognigy: {api, input, context, profile}, config})`.
// The Code Node runs in a fresh context holding `crypto`, `input` and
// `context`; what it leaves in `context.signedWebhook` is then sent as an
// HTTP Request Node sends a raw text body.
'use strict';

const fs = require('node:fs');
const http = require('node:http');
const vm = require('node:vm');

const [kind, path, url, secret, profile, body] = process.argv.slice(2);

function post(target, headers, payload) {
  return new Promise((resolve, reject) => {
    const request = http.request(target, { method: 'POST', headers }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
    });
    request.on('error', reject);
    request.end(payload);
  });
}

async function viaModule() {
  const { signHeaders, PROFILE } = require(path);
  if (PROFILE !== profile) throw new Error(`module is for ${PROFILE}, not ${profile}`);
  const headers = { 'Content-Type': 'application/json', ...signHeaders(body, secret) };
  return post(url, headers, Buffer.from(body, 'utf8'));
}

async function viaTransformer() {
  const ts = require('typescript');
  let source = fs.readFileSync(path, 'utf8');
  source = source
    .replace(/^const RECEIVER_URL = .*$/m, `const RECEIVER_URL = ${JSON.stringify(url)};`)
    .replace(/^const WEBHOOK_SECRET = .*$/m, `const WEBHOOK_SECRET = ${JSON.stringify(secret)};`);
  const js = ts.transpileModule(source, {
    compilerOptions: { target: ts.ScriptTarget.ES2019, module: ts.ModuleKind.CommonJS },
  }).outputText;
  let transformer = null;
  let answer = null;
  const sandbox = {
    console,
    crypto: require('node:crypto'),
    createWebhookTransformer: (definition) => { transformer = definition; },
    httpRequest: async (options) => {
      if (options.json) throw new Error('the transformer must send its exact string body (json: false)');
      answer = await post(options.uri, options.headers, options.body);
      return answer.body;
    },
  };
  vm.runInNewContext(js, sandbox, { filename: path });
  const processedOutput = JSON.parse(body);
  const returned = await transformer.handleOutput({
    output: processedOutput.AIOutput || { text: 'hello', data: {} },
    processedOutput,
    userId: processedOutput.userId,
    sessionId: processedOutput.sessionId,
    endpoint: {},
  });
  if (returned) throw new Error('the transformer must not let Cognigy send an unsigned copy');
  return answer;
}

async function viaExtension() {
  const extension = require(path).default;
  const node = extension.nodes.find((descriptor) => descriptor.type === 'sendSignedWebhook');
  const context = {};
  const api = {
    addToContext: (key, value) => { context[key] = value; },
    log: (level, text) => console.error(`${level}: ${text}`),
  };
  await node.function({
    cognigy: { api, input: {}, context: {}, profile: {} },
    config: { url, profile, connection: { secret }, body: JSON.parse(body), contextKey: 'signedWebhook' },
    childConfigs: [],
    nodeId: 'test-node',
  });
  return context.signedWebhook;
}

async function viaCodeNode() {
  const source = fs
    .readFileSync(path, 'utf8')
    .replace(/^const WEBHOOK_SECRET = .*$/m, `const WEBHOOK_SECRET = ${JSON.stringify(secret)};`);
  const context = { webhookPayload: JSON.parse(body) };
  vm.runInNewContext(source, { crypto: require('node:crypto'), input: {}, context }, { filename: path });
  const { body: signed, headers } = context.signedWebhook;
  return post(url, headers, Buffer.from(signed, 'utf8'));
}

const run = {
  module: viaModule,
  transformer: viaTransformer,
  extension: viaExtension,
  'code-node': viaCodeNode,
}[kind];
run()
  .then((answer) => console.log(JSON.stringify(answer)))
  .catch((error) => { console.error(error); process.exit(1); });
