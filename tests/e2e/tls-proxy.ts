/**
 * A real TLS reverse proxy in front of real relay processes, for tests/e2e/tls.test.ts: a certificate made
 * here with openssl, and Caddy (Debian's package) running the repository's own relay/deploy/Caddyfile.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate, createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import type { LookupFunction } from 'node:net';
import path from 'node:path';
import { ROOT } from './harness';

export const CADDYFILE = path.join(ROOT, 'relay/deploy/Caddyfile');

export interface Certificate {
  readonly certFile: string;
  readonly keyFile: string;
  readonly pem: string;
  /** base64(SHA-256(SubjectPublicKeyInfo)): what Chromium's `--ignore-certificate-errors-spki-list` takes. */
  readonly spki: string;
}

/** A self-signed P-256 certificate for `names`, valid for a day, made with `openssl req -x509`. */
export function makeCertificate(dir: string, names: readonly string[]): Certificate {
  const certFile = path.join(dir, 'relay.pem');
  const keyFile = path.join(dir, 'relay.key');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      `/CN=${names[0]}`,
      '-addext',
      `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}`,
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'pipe' },
  );
  const pem = readFileSync(certFile, 'utf8');
  const der = new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' });
  return { certFile, keyFile, pem, spki: createHash('sha256').update(der).digest('base64') };
}

/** Every host name resolves to this machine, as DNS would send a real name to the relay's host. */
const toLoopback: LookupFunction = (_host, options, callback) => {
  const cb = callback as (...args: unknown[]) => void;
  if (options.all) cb(null, [{ address: '127.0.0.1', family: 4 }]);
  else cb(null, '127.0.0.1', 4);
};

/** An https agent for Node clients: trusts only `pem`, and reaches every name on 127.0.0.1. */
export const trustingAgent = (pem: string) => new Agent({ ca: pem, lookup: toLoopback, keepAlive: false });

export interface HttpsAnswer {
  status: number;
  headers: Record<string, unknown>;
  body: string;
}

/** GET over TLS, verifying the certificate against `pem` for the URL's host name (SNI and all). */
export function httpsGet(url: string, pem: string): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: trustingAgent(pem) }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.once('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error(`GET ${url} timed out`)));
    req.end();
  });
}

export interface Caddy {
  readonly pid: number;
  stderr(): string;
  stop(): Promise<void>;
}

/**
 * `caddy run` with relay/deploy/Caddyfile as shipped; only its PARLEY_* environment differs from a public
 * host's: the site name with a free port, this certificate instead of ACME, no admin API (two Caddys at
 * once), free ports for the redirect listener. Its state goes to `dir`, never to the real home.
 */
export async function startCaddy(options: {
  dir: string;
  domain: string;
  httpsPort: number;
  httpPort: number;
  upstreams: readonly string[];
  certificate: Certificate;
}): Promise<Caddy> {
  const { dir, domain, httpsPort, httpPort, upstreams, certificate } = options;
  const child: ChildProcess = spawn('caddy', ['run', '--config', CADDYFILE, '--adapter', 'caddyfile'], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      XDG_DATA_HOME: path.join(dir, 'data'),
      XDG_CONFIG_HOME: path.join(dir, 'config'),
      PARLEY_RELAY_DOMAIN: `${domain}:${httpsPort}`,
      PARLEY_RELAY_UPSTREAMS: upstreams.join(' '),
      PARLEY_TLS: `tls ${certificate.certFile} ${certificate.keyFile}`,
      PARLEY_CADDY_ADMIN: 'off',
      PARLEY_HTTP_PORT: String(httpPort),
      PARLEY_HTTPS_PORT: String(httpsPort),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (chunk: Buffer) => (err = (err + chunk.toString()).slice(-20_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const caddy: Caddy = {
    pid: child.pid!,
    stderr: () => err,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const killed = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killed);
    },
  };
  // Ready once a request goes all the way through: TLS, the proxy, a relay node's /healthz.
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`caddy exited (${child.exitCode}):\n${err}`);
    const answer = await httpsGet(`https://${domain}:${httpsPort}/healthz`, certificate.pem).catch(
      () => undefined, // not listening yet: ask again
    );
    if (answer?.status === 200) return caddy;
    if (Date.now() > deadline) {
      await caddy.stop();
      throw new Error(`caddy did not proxy /healthz within 20 s:\n${err}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
