import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The relay's Prometheus metrics (OBS3). One registry per relay instance, so several relays in
 * one process (tests) do not share counters. Labels never carry agent ids or envelope data.
 */
export function createMetrics() {
  const registry = new Registry();
  const registers = [registry];
  return {
    registry,
    connections: new Gauge({ name: 'relay_connections', help: 'Open socket.io connections.', registers }),
    authenticated: new Gauge({
      name: 'relay_authenticated_connections',
      help: 'Connections logged in as an agent.',
      registers,
    }),
    envelopesIn: new Counter({
      name: 'relay_envelopes_in_total',
      help: 'Envelopes accepted from senders (stored, or duplicates of held ones).',
      labelNames: ['outcome'] as const,
      registers,
    }),
    envelopesOut: new Counter({
      name: 'relay_envelopes_out_total',
      help: 'Envelopes acknowledged by their recipient and removed from the mailbox.',
      registers,
    }),
    mailboxDepth: new Histogram({
      name: 'relay_mailbox_depth',
      help: "The recipient's mailbox depth right after each stored envelope.",
      buckets: [1, 2, 5, 10, 50, 100, 500, 1000, 5000, 10000],
      registers,
    }),
    deliveryLatency: new Histogram({
      name: 'relay_delivery_latency_seconds',
      help: "From the sender's send to the recipient's acknowledgement.",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60, 600],
      registers,
    }),
    rejections: new Counter({
      name: 'relay_rejections_total',
      help: 'Requests and connections refused, by error code.',
      labelNames: ['code'] as const,
      registers,
    }),
  };
}

export type RelayMetrics = ReturnType<typeof createMetrics>;
