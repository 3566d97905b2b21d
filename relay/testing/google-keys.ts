// Test helper: Google's public keys for Firebase ID tokens, served on this machine. firebase-admin
// fetches them over HTTPS from www.googleapis.com with the app's `httpAgent`; the agent made here
// sends every such connection to a plain HTTP server on 127.0.0.1 instead, so the verifier's real
// path (fetch, cache, kid lookup, RS256 check) runs with no network (FBA10).
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Agent } from 'node:https';
import { connect, type AddressInfo } from 'node:net';

/** Where firebase-admin reads the keys that sign Firebase ID tokens. */
export const GOOGLE_KEYS_PATH = '/robot/v1/metadata/x509/securetoken@system.gserviceaccount.com';

export interface GoogleKeys {
  /** The key that signs genuine tokens, and its id (`kid`). */
  readonly kid: string;
  readonly privateKey: KeyObject;
  /** Hand this to firebase-admin (`initializeApp({ httpAgent })`). */
  readonly httpAgent: Agent;
  /** The paths requested so far (only GOOGLE_KEYS_PATH is answered). */
  readonly requests: readonly string[];
  stop(): Promise<void>;
}

export async function serveGoogleKeys(): Promise<GoogleKeys> {
  const kid = 'parley-test-key-1';
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  // Google serves X.509 certificates; firebase-admin takes a PEM public key just the same, and
  // Node cannot make a certificate without a dependency.
  const keys = JSON.stringify({ [kid]: publicKey.export({ type: 'spki', format: 'pem' }) });
  const requests: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    requests.push(req.url ?? '');
    if (req.url !== GOOGLE_KEYS_PATH) return void res.writeHead(404).end();
    // firebase-admin refetches once max-age has passed; without it, it fetches for every token.
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=3600' });
    res.end(keys);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  // Plain TCP where TLS was asked for: the local server speaks HTTP, and nothing leaves the machine.
  const httpAgent = new (class extends Agent {
    override createConnection() {
      return connect(port, '127.0.0.1');
    }
  })();
  return {
    kid,
    privateKey,
    httpAgent,
    requests,
    async stop() {
      httpAgent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
