// Reports errors to vigia with the real Sentry SDK for Node (@sentry/node), configured only
// by a DSN that points at vigia — what a team using Sentry changes to switch. Run by
// tests/clients_it.cpp, which checks what vigia stored and how it grouped it:
//   - captureException of one bug three times (different values in the message) and of a
//     second bug once;
//   - captureMessage of one message template twice (different values);
//   - breadcrumbs, tags (service, region), the user, release and environment on every event.
// Exits 0 once the SDK flushed everything (Sentry.flush resolved true), else 1.
//
//   node send.js <base-url> <dsn-key> <project-id>
'use strict';

const Sentry = require('@sentry/node');

const [base, key, project] = process.argv.slice(2);
const url = new URL(base);
const dsn = `${url.protocol}//${key}@${url.host}/${project}`;

Sentry.init({
  dsn,
  release: 'shop@2.3.1',
  environment: 'staging',
  serverName: 'node-host-1',
  tracesSampleRate: 0,
  sendClientReports: false,
  // Every event, even the duplicates: the SDK's dedupe would drop repeated identical errors.
  integrations: (defaults) => defaults.filter((i) => i.name !== 'Dedupe'),
});

Sentry.setTag('service', 'checkout');
Sentry.setTag('region', 'eu-west');
Sentry.setUser({ id: 'u-42', email: 'ana@example.com' });

class PaymentDeclined extends Error {
  constructor(message) {
    super(message);
    this.name = 'PaymentDeclined';
  }
}

function chargeCard(amount) {
  throw new PaymentDeclined(`card declined for amount ${amount}`);
}

function readCart(cart) {
  return cart.items.length;  // TypeError when cart is undefined
}

for (const amount of [12.5, 99.99, 7]) {
  Sentry.addBreadcrumb({ category: 'payment', message: `charging ${amount}`, level: 'info' });
  try {
    chargeCard(amount);
  } catch (err) {
    Sentry.captureException(err);
  }
}
try {
  readCart(undefined);
} catch (err) {
  Sentry.captureException(err);
}
Sentry.captureMessage('order 17 stuck in state pending', 'warning');
Sentry.captureMessage('order 99 stuck in state pending', 'warning');

Sentry.flush(15000).then((ok) => {
  if (!ok) console.error('Sentry.flush timed out: not every event was sent');
  process.exit(ok ? 0 : 1);
});
