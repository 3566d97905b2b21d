import type { Command } from './command';
import type { ProposedAction } from './plan';

/**
 * [PRP2] What the agent proposed and waits for the person to confirm, by id, for a few minutes. Kept in
 * memory only: a worker that restarted forgets them, and the person asks again. Taking one removes it,
 * so a proposal runs at most once.
 */
export class ProposalBook {
  readonly #open = new Map<
    string,
    { actions: readonly ProposedAction[]; expiresAt: number; command: Command | undefined }
  >();

  constructor(private readonly capacity = 20) {}

  /** `command`: the request it came from, which a follow-up may edit (PRP6). */
  add(actions: readonly ProposedAction[], expiresAt: number, command?: Command): string {
    const id = crypto.randomUUID();
    this.#open.set(id, { actions, expiresAt, command });
    // The oldest go first: a person has a handful of proposals open at most.
    while (this.#open.size > this.capacity) this.#open.delete(this.#open.keys().next().value!);
    return id;
  }

  /** The newest open proposal that came from a request, for a follow-up to edit. */
  latest(now: number): { id: string; command: Command } | undefined {
    const entries = [...this.#open].reverse();
    const found = entries.find(([, e]) => e.expiresAt > now && e.command !== undefined);
    return found && { id: found[0], command: found[1].command! };
  }

  /** Whether `id` is still open (not taken, not expired). */
  has(id: string, now: number): boolean {
    const entry = this.#open.get(id);
    return entry !== undefined && entry.expiresAt > now;
  }

  take(id: string, now: number): readonly ProposedAction[] | undefined {
    const entry = this.#open.get(id);
    this.#open.delete(id);
    return entry && entry.expiresAt > now ? entry.actions : undefined;
  }
}
