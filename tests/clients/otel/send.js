// Sends a fixed set of log records to vigia with the real OpenTelemetry JS logs SDK and one
// of its OTLP/HTTP exporters, then exits 0 only if every export succeeded. Run by
// tests/otel_client_it.cpp, which checks what vigia stored, field by field.
//
//   node send.js <base-url> <json|proto> <service-name> [<bearer-key>]
'use strict';

const { context, trace, TraceFlags } = require('@opentelemetry/api');
const { SeverityNumber } = require('@opentelemetry/api-logs');
const { LoggerProvider, BatchLogRecordProcessor } = require('@opentelemetry/sdk-logs');
const { resourceFromAttributes } = require('@opentelemetry/resources');

const [base, encoding, service, key] = process.argv.slice(2);
const { OTLPLogExporter } = require(encoding === 'proto'
  ? '@opentelemetry/exporter-logs-otlp-proto'
  : '@opentelemetry/exporter-logs-otlp-http');

const inner = new OTLPLogExporter({
  // The protobuf exporter goes to the /otlp-prefixed path, gzip-compressed; the JSON one to
  // /v1/logs uncompressed: both paths and both body forms are exercised.
  url: encoding === 'proto' ? `${base}/otlp/v1/logs` : `${base}/v1/logs`,
  headers: key ? { Authorization: `Bearer ${key}` } : {},
  compression: encoding === 'proto' ? 'gzip' : 'none',
});
// Counts the export results the SDK would otherwise only log.
let failures = 0;
const exporter = {
  export(records, done) {
    inner.export(records, (result) => {
      if (result.code !== 0) {
        failures++;
        console.error('export failed:', result.error && result.error.message);
      }
      done(result);
    });
  },
  shutdown() { return inner.shutdown(); },
  forceFlush() { return inner.forceFlush ? inner.forceFlush() : Promise.resolve(); },
};

const provider = new LoggerProvider({
  resource: resourceFromAttributes({
    'service.name': service,
    'service.version': '1.4.2',
    'deployment.environment.name': 'staging',
    'host.name': 'otel-host-1',
  }),
  processors: [new BatchLogRecordProcessor({ exporter })],
});
const logger = provider.getLogger('checkout-logger', '0.9.0');

const spanContext = {
  traceId: '5b8efff798038103d269b633813fc60c',
  spanId: 'eee19b7ec3c1b174',
  traceFlags: TraceFlags.SAMPLED,
};
const inSpan = trace.setSpanContext(context.active(), spanContext);

// 2026-11-22T10:00:00.123456789Z and the next seconds (HrTime: nanosecond precision).
const t0 = 1795341600;
logger.emit({
  timestamp: [t0, 123456789],
  severityNumber: SeverityNumber.INFO,
  severityText: 'INFO',
  body: 'request completed',
  context: inSpan,
  attributes: {
    uid: `${encoding}-1`,
    'http.request.method': 'post',
    'http.route': '/sales/{id}/pay',
    'url.path': '/sales/7/pay',
    'http.response.status_code': 201,
    'client.address': '203.0.113.7',
    'cart.total': 19.5,
    'cart.items': 3,
    retry: false,
    tags: ['a', 'b'],
  },
});
logger.emit({
  timestamp: [t0 + 1, 0],
  severityNumber: SeverityNumber.ERROR,
  severityText: 'ERROR',
  body: 'payment failed',
  attributes: {
    uid: `${encoding}-2`,
    'exception.type': 'GatewayError',
    'exception.message': 'upstream timeout',
    'exception.stacktrace': 'GatewayError: upstream timeout\n    at pay (/app/pay.js:10:5)',
  },
});
logger.emit({
  timestamp: [t0 + 2, 500000000],
  severityNumber: SeverityNumber.WARN2,
  severityText: 'WARNING',
  body: { message: 'map body', requestId: 'r-42', customer: { id: 'c-9', tier: 'gold' } },
  attributes: { uid: `${encoding}-3` },
});
logger.emit({
  timestamp: [t0 + 3, 0],
  severityText: 'fatal',
  body: 'text-only severity',
  attributes: { uid: `${encoding}-4`, 'enduser.id': 'u-77' },
});

provider.forceFlush()
  .then(() => provider.shutdown())
  .then(() => {
    if (failures > 0) process.exit(1);
    console.log('sent 4 records');
  })
  .catch((e) => {
    console.error(e);
    process.exit(1);
  });
