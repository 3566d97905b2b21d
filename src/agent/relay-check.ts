/**
 * [CLR2] Does a relay answer at this address? Asks its health endpoint (`/healthz`, docs/protocol/relay.md)
 * over HTTP(S) and says, in words, what went wrong and what to check: the address's form, nothing
 * answering, no answer in time, or something that is not a Parley relay.
 */
export type RelayCheck =
  | { ok: true; url: string; host: string }
  | {
      ok: false;
      problem: 'malformed' | 'unreachable' | 'timeout' | 'not_a_relay';
      host?: string;
      message: string;
    };

export type FetchLike = (url: string, init: { signal: AbortSignal; mode?: RequestMode }) => Promise<Response>;

export const RELAY_CHECK_TIMEOUT_MS = 5000;

/** The relay's health address for a relay address as settings hold it (ws → http, wss → https). */
export function healthUrlOf(relayUrl: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(relayUrl.trim());
  } catch {
    // Not a URL at all: the caller words it as malformed.
    return undefined;
  }
  const protocol = { 'ws:': 'http:', 'wss:': 'https:', 'http:': 'http:', 'https:': 'https:' }[url.protocol];
  if (!protocol || !url.hostname) return undefined;
  return new URL(`${protocol}//${url.host}/healthz`);
}

export async function checkRelay(
  relayUrl: string,
  fetchFn: FetchLike,
  timeoutMs = RELAY_CHECK_TIMEOUT_MS,
): Promise<RelayCheck> {
  const health = healthUrlOf(relayUrl);
  if (!health) {
    return {
      ok: false,
      problem: 'malformed',
      message:
        'That is not a relay address. Use the full address your relay’s operator gave you, starting with wss:// or https:// — for example wss://relay.example.org.',
    };
  }
  const host = health.host;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetchFn(health.href, { signal: controller.signal });
    const body = (await response.json().catch(
      // A body that is not JSON is not a relay's health answer: told as not_a_relay below.
      () => undefined,
    )) as { status?: unknown } | undefined;
    if (response.ok && body?.status === 'ok') return { ok: true, url: relayUrl.trim(), host };
    return {
      ok: false,
      problem: 'not_a_relay',
      host,
      message: `${host} answered, but not as a Parley relay (HTTP ${response.status}). Check the address: it is the relay’s own address, not a website’s.`,
    };
  } catch {
    // Aborted (no answer in time) or refused (nothing there, or no CORS): told apart below.
    if (controller.signal.aborted) {
      return {
        ok: false,
        problem: 'timeout',
        host,
        message: `${host} did not answer within ${Math.round(timeoutMs / 1000)} seconds. Check that the relay is running and that this network reaches it.`,
      };
    }
    // The browser refuses to let us read another origin's answer without permission: if something answers
    // without CORS (an opaque response), the relay is there.
    const opaque = await fetchFn(health.href, { signal: controller.signal, mode: 'no-cors' }).then(
      (r) => r.type === 'opaque',
      () => false, // nothing answered this way either: the first failure is the report
    );
    if (opaque) return { ok: true, url: relayUrl.trim(), host };
    return {
      ok: false,
      problem: 'unreachable',
      host,
      message: `Nothing answered at ${host}. Check the address for typos, that the relay is running, and that you are online.`,
    };
  } finally {
    clearTimeout(timer);
  }
}
