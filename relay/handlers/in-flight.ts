/**
 * The requests being handled. Shutdown (OBS5) first stops new ones (`draining`: they, and new
 * connections, are refused `unavailable`), then waits for these to finish.
 */
export class InFlight {
  #count = 0;
  #idle: (() => void) | undefined;
  #draining = false;

  get draining(): boolean {
    return this.#draining;
  }

  begin(): void {
    this.#count++;
  }

  end(): void {
    if (--this.#count === 0) this.#idle?.();
  }

  /** Refuses new requests from now on; resolves once none is in flight, or after `graceMs`. */
  async drain(graceMs: number): Promise<void> {
    this.#draining = true;
    if (this.#count === 0) return;
    await Promise.race([
      new Promise<void>((resolve) => (this.#idle = resolve)),
      new Promise((resolve) => setTimeout(resolve, graceMs).unref()),
    ]);
  }
}
