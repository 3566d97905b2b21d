// The guide `npm start` prints (scripts/start.mjs); a module of its own so a test can read it.
import path from 'node:path';

/**
 * What `npm start` prints once its relay answers (INS3): the relay, loading the extension in each browser,
 * a second person, and Parley without Google.
 */
export const nextSteps = ({ root, relayUrl, host, port, lanAddresses, json }) => `
Parley is built and its relay answers at ${relayUrl} (health: ${relayUrl}/healthz).

1. Load the extension
   Chrome / Chromium: open chrome://extensions, turn on "Developer mode", click "Load unpacked"
     and choose ${path.join(root, '.output/chrome-mv3')}
   Firefox: open about:debugging#/runtime/this-firefox, click "Load Temporary Add-on…"
     and choose ${path.join(root, '.output/firefox-mv3/manifest.json')}
   Then open Parley from the toolbar and choose a passphrase and your name. The extension's default
   relay is http://127.0.0.1:8787${relayUrl === 'http://127.0.0.1:8787' ? ', this one' : `; enter ${relayUrl} in its settings (Relay)`}.

2. A second person
   On this computer: a second browser profile (or Firefox) with the extension, pointed at this relay.
   On another computer: the relay must be reachable there over TLS (wss://): docs/deploy.md shows
   Caddy or nginx in front of it. ${
     host === '0.0.0.0' && lanAddresses.length
       ? `This relay listens on every interface (${lanAddresses.map((a) => `http://${a}:${port}`).join(', ')}),\n   but browsers on other computers need wss:// with a certificate they trust.`
       : 'Run with HOST=0.0.0.0 to listen beyond this computer.'
   }
   In the side panel, "Invite someone" makes a code with this relay's address; send it to them.
   When they paste it, your agents pair; ask "find 30 minutes with <name> next week".

3. Without Google
   Settings → Calendar: import an .ics file or subscribe to your calendar's secret iCal address
   (no Google Cloud project needed). Or watch three agents book a meeting: npm run demo

Ctrl+C stops the relay. Logs below are one line per event${json ? ' (JSON, as asked)' : '; npm start -- --json prints JSON lines'}.
`;
