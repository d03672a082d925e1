// Sends log lines to vigia with winston-loki (a real Loki client library), once with its JSON
// pushes and once with its snappy-compressed protobuf pushes, then exits 0 only if every push
// succeeded. Run by tests/loki_client_it.cpp, which checks what vigia stored, field by field.
//
//   node send.js <base-url> <json|proto> <service-name> [<bearer-key>]
'use strict';

const winston = require('winston');
const LokiTransport = require('winston-loki');

const [base, encoding, service, key] = process.argv.slice(2);

let failures = 0;
const transport = new LokiTransport({
  host: base,
  json: encoding === 'json',
  batching: false,  // one push per line: a refused push is seen at once
  replaceTimestamp: false,  // keep the times below (the default replaces them with now)
  labels: { service_name: service, env: 'staging' },
  headers: key ? { Authorization: `Bearer ${key}` } : {},
  // The line is the winston entry as JSON: vigia parses it as the event.
  format: winston.format.json(),
  onConnectionError: (err) => {
    failures++;
    console.error('push failed:', err && err.message);
  },
});
const logger = winston.createLogger({ level: 'debug', transports: [transport] });

// Fixed times (2026-11-22T10:00:0Xs) so the stored ts is known.
const t0 = Date.UTC(2026, 10, 22, 10, 0, 0);
logger.info('request completed', {
  timestamp: new Date(t0 + 123).toISOString(),
  uid: `${encoding}-1`,
  requestId: 'r-1',
  status: 201,
  duration_ms: 37.5,
});
logger.error('payment failed', {
  timestamp: new Date(t0 + 1000).toISOString(),
  uid: `${encoding}-2`,
  error: { type: 'GatewayError', message: 'upstream timeout' },
});
logger.warn('low stock', {
  timestamp: new Date(t0 + 2000).toISOString(),
  uid: `${encoding}-3`,
  labels: { job: 'inventory' },
  item: { sku: 'A-1', left: 2 },
});

// winston-loki sends asynchronously; wait for the pushes to finish.
setTimeout(async () => {
  try {
    await transport.flush?.();
  } catch (e) {
    failures++;
    console.error(e);
  }
  if (failures > 0) process.exit(1);
  console.log('sent 3 lines');
  process.exit(0);
}, 1500);
