/**
 * Which browser origins may open a connection (LIM4). Browsers always send `Origin` on a
 * websocket handshake, so an allow-list of extension origins keeps web pages from using the
 * relay with a visitor's cookies or network position. Non-browser clients (tests, tools) send
 * none: they are let in only when `allowMissing` says so.
 */
export interface OriginPolicy {
  /** Exact origins, e.g. `chrome-extension://abcdefghijklmnopabcdefghijklmnop`; undefined = any. */
  readonly allowed?: readonly string[];
  readonly allowMissing: boolean;
}

export function originAllowed(policy: OriginPolicy, origin: string | undefined): boolean {
  if (!policy.allowed) return true;
  if (origin === undefined || origin === '') return policy.allowMissing;
  return policy.allowed.includes(origin);
}
