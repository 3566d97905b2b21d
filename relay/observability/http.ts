import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RelayMetrics } from './metrics';

/** The relay's version, as the project's package.json states it (shown on the root page). */
export const RELAY_VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export interface HttpProbes {
  metrics: RelayMetrics;
  /** True once shutdown started: not ready, so the load balancer stops sending traffic. */
  draining(): boolean;
  /** Throws when the store (Redis) cannot be reached. */
  ready(): Promise<void>;
  /** Where the root page points for "what is Parley" (`RELAY_PROJECT_URL`); none → no link. */
  projectUrl?: string;
}

const json = (res: ServerResponse, status: number, body: unknown) =>
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

/** OBS1–OBS3: liveness, readiness and Prometheus metrics; socket.io answers its own path. */
export function handleHttp(req: IncomingMessage, res: ServerResponse, probes: HttpProbes): void {
  const path = req.url?.split('?')[0];
  if (path === '/' && (req.method === 'GET' || req.method === 'HEAD')) {
    return void res
      .writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        // A page of text and links: nothing to run, nothing to frame, nothing to guess.
        'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-cache',
      })
      .end(req.method === 'HEAD' ? undefined : rootPage(req, probes.projectUrl));
  }
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

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * OBS6: what this address is, for a person who opened it in a browser: a Parley relay, its version, the
 * address to put in Parley's settings, and links to its health and the project. Nothing about agents,
 * connections or settings: the page is the same for everyone.
 */
function rootPage(req: IncomingMessage, projectUrl: string | undefined): string {
  // Behind a TLS proxy the browser asked for https://<host>; the extension speaks wss:// to the same host.
  const host = req.headers.host;
  const secure = req.headers['x-forwarded-proto'] === 'https' || 'encrypted' in req.socket;
  const address =
    host && /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host)
      ? `${secure ? 'wss' : 'ws'}://${host}`
      : undefined;
  const project = projectUrl && /^https?:\/\//.test(projectUrl) ? projectUrl : undefined;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Parley relay</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}code{background:#eee;padding:0 .2em}</style>
</head>
<body>
<h1>Parley relay</h1>
<p>This is a relay for <strong>Parley</strong>, a personal agent in the browser that arranges meetings with other
people's agents. The relay passes end-to-end encrypted messages between agents and keeps them for agents that
are offline; it cannot read them.</p>
${address ? `<p>To use it, put <code>${escapeHtml(address)}</code> as the relay in Parley's settings.</p>\n` : ''}<p>Version ${escapeHtml(RELAY_VERSION)}.
Health: <a href="/healthz">/healthz</a> (alive), <a href="/readyz">/readyz</a> (ready to serve).</p>
<p>${project ? `Project: <a href="${escapeHtml(project)}">${escapeHtml(project)}</a>` : 'Project: Parley'}</p>
</body>
</html>
`;
}
