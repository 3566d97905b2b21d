import type { ChatStore } from '../store';
import { summarizeTurns, type ChatTurn, type ProposalState } from './chat';

export interface ThreadPorts {
  readonly store: ChatStore;
  /** Adds turns to the searchable history (conversation `assistant`). */
  index(turns: readonly ChatTurn[]): void;
  /** Removes the whole conversation from the searchable history. */
  unindex(): void;
  /** Tells open pages the thread changed. */
  notify(): void;
  now(): number;
}

/** Turns kept in memory for the thread view and the summary; older ones stay in the vault and the index. */
const KEPT = 50;
/** Streamed text is announced at most this often (each announcement makes every open page re-read). */
const ANNOUNCE_MS = 100;
const MAX_STREAMED = 2000;

/**
 * The conversation with the agent while the vault is unlocked (CHT1–CHT5): every turn is written to the
 * vault and the history index before it is shown; the newest turns are kept in memory so that showing the
 * thread, or streaming a model's words into it, does not decrypt it again each time.
 */
export class ChatThread {
  #turns: ChatTurn[] | undefined;
  #streaming: { text: string; announcedAt: number } | undefined;

  constructor(private readonly ports: ThreadPorts) {}

  async recent(): Promise<readonly ChatTurn[]> {
    this.#turns ??= await this.ports.store.recent(KEPT);
    return this.#turns;
  }

  /** What a model is writing right now, as far as it got (CHT2). */
  get streaming(): string | undefined {
    return this.#streaming?.text;
  }

  async add(turn: ChatTurn): Promise<void> {
    await this.ports.store.put([turn]);
    this.ports.index([turn]);
    const turns = [...(await this.recent()).filter((t) => t.id !== turn.id), turn];
    this.#turns = turns.slice(-KEPT);
    this.ports.notify();
  }

  /** [CHT2] The text streamed so far (already in the person's words); announced, throttled. */
  stream(text: string): void {
    const now = this.ports.now();
    const last = this.#streaming?.announcedAt;
    this.#streaming = { text: text.slice(0, MAX_STREAMED), announcedAt: last ?? now };
    if (last === undefined || now - last >= ANNOUNCE_MS) {
      this.#streaming.announcedAt = now;
      this.ports.notify();
    }
  }

  endStream(): void {
    if (this.#streaming === undefined) return;
    this.#streaming = undefined;
    this.ports.notify();
  }

  /** [CHT3] What became of a proposal, on the turn that offered it. */
  async settle(proposalId: string, state: ProposalState): Promise<void> {
    const turn = (await this.recent()).find((t) => t.proposal?.id === proposalId);
    if (!turn?.proposal) return;
    await this.add({ ...turn, proposal: { ...turn.proposal, state } });
  }

  /** [CHT4] The earlier requests, summarised by code for a model's context. */
  async summary(): Promise<string[] | undefined> {
    return summarizeTurns(await this.recent());
  }

  async clear(): Promise<void> {
    await this.ports.store.clear();
    this.ports.unindex();
    this.#turns = [];
    this.ports.notify();
  }
}
