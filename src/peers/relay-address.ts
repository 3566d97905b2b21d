/**
 * Relay addresses as invites and settings hold them (PAIR5, PAIR6). Pure: the side panel imports it
 * too. The extension reaches a relay with socket.io over a websocket, so `wss://h` and `https://h` are
 * one relay (TLS on port 443), as are `ws://h` and `http://h`; the path is socket.io's namespace.
 */

/** One string per relay: scheme class, lower-case host, port (defaults made explicit), path. */
export function relayKey(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    // Not an address at all: it matches nothing, not even itself.
    return undefined;
  }
  const secure = parsed.protocol === 'https:' || parsed.protocol === 'wss:';
  if (!secure && parsed.protocol !== 'http:' && parsed.protocol !== 'ws:') return undefined;
  const port = parsed.port || (secure ? '443' : '80');
  return `${secure ? 'tls' : 'plain'}://${parsed.hostname.toLowerCase()}:${port}${parsed.pathname.replace(/\/+$/, '')}`;
}

/** Whether two addresses name the same relay (PAIR5). */
export function sameRelay(a: string, b: string): boolean {
  const key = relayKey(a);
  return key !== undefined && key === relayKey(b);
}

/**
 * Whether an address names the computer it is used on (localhost, 127.0.0.0/8, ::1, 0.0.0.0): such a
 * relay is reachable only by agents on that same computer (PAIR6).
 */
export function isLoopbackRelay(url: string): boolean {
  let host: string;
  try {
    host = new URL(url.trim()).hostname.toLowerCase();
  } catch {
    // Not an address: not a loopback one either (relayKey refuses it elsewhere).
    return false;
  }
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) ||
    host === '0.0.0.0' ||
    host === '[::1]' ||
    host === '[::]'
  );
}
