/**
 * What a page was opened for, from its address: the side panel opened by "Find a time with…" on Google
 * Calendar (`sidepanel.html?ask=…`) starts with its command box filled (docs/protocol/interface.md GCL5).
 * The words are only ever put in an input's value, never run: the person presses Enter.
 */
export function askedFor(search: string = globalThis.location?.search ?? ''): string {
  return (new URLSearchParams(search).get('ask') ?? '').slice(0, 1000);
}
