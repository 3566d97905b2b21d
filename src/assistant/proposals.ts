import type { ProposedAction } from './plan';

/**
 * [PRP2] What the agent proposed and waits for the person to confirm, by id, for a few minutes. Kept in
 * memory only: a worker that restarted forgets them, and the person asks again. Taking one removes it,
 * so a proposal runs at most once.
 */
export class ProposalBook {
  readonly #open = new Map<string, { actions: readonly ProposedAction[]; expiresAt: number }>();

  constructor(private readonly capacity = 20) {}

  add(actions: readonly ProposedAction[], expiresAt: number): string {
    const id = crypto.randomUUID();
    this.#open.set(id, { actions, expiresAt });
    // The oldest go first: a person has a handful of proposals open at most.
    while (this.#open.size > this.capacity) this.#open.delete(this.#open.keys().next().value!);
    return id;
  }

  take(id: string, now: number): readonly ProposedAction[] | undefined {
    const entry = this.#open.get(id);
    this.#open.delete(id);
    return entry && entry.expiresAt > now ? entry.actions : undefined;
  }
}
