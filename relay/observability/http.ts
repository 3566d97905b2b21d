import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RelayMetrics } from './metrics';

export interface HttpProbes {
  metrics: RelayMetrics;
  /** True once shutdown started: not ready, so the load balancer stops sending traffic. */
  draining(): boolean;
  /** Throws when the store (Redis) cannot be reached. */
  ready(): Promise<void>;
}

const json = (res: ServerResponse, status: number, body: unknown) =>
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

/** OBS1–OBS3: liveness, readiness and Prometheus metrics; socket.io answers its own path. */
export function handleHttp(req: IncomingMessage, res: ServerResponse, probes: HttpProbes): void {
  const path = req.url?.split('?')[0];
  if (path === '/healthz') return void json(res, 200, { status: 'ok' });
  if (path === '/readyz') {
    if (probes.draining()) return void json(res, 503, { status: 'draining' });
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('timeout')), 2000).unref(),
    );
    Promise.race([probes.ready(), timeout]).then(
      () => json(res, 200, { status: 'ready' }),
      () => json(res, 503, { status: 'store_unreachable' }), // the answer is the report (OBS1)
    );
    return;
  }
  if (path === '/metrics') {
    probes.metrics.registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': probes.metrics.registry.contentType }).end(text),
      () => json(res, 500, { error: 'metrics_failed' }), // the scraper sees and reports it
    );
    return;
  }
  if (!req.url?.startsWith('/socket.io/')) json(res, 404, { error: 'not_found' });
}
