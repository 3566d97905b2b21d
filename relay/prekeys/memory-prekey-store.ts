import type { OneTimePrekeyWire, PrekeyBundleWire, PrekeyUploadWire, SignedPrekeyWire } from '../protocol';
import { MAX_ONE_TIME_PREKEYS, type PrekeyStore } from './prekey-store';

interface Held {
  signedPrekey: SignedPrekeyWire;
  lastResortPrekey: OneTimePrekeyWire;
  oneTime: OneTimePrekeyWire[];
}

export class MemoryPrekeyStore implements PrekeyStore {
  readonly #agents = new Map<string, Held>();

  async publish(upload: PrekeyUploadWire): Promise<number> {
    const held = this.#agents.get(upload.agentId);
    const oneTime = [...(held?.oneTime ?? []), ...upload.oneTimePrekeys].slice(-MAX_ONE_TIME_PREKEYS);
    this.#agents.set(upload.agentId, {
      signedPrekey: upload.signedPrekey,
      lastResortPrekey: upload.lastResortPrekey,
      oneTime,
    });
    return oneTime.length;
  }

  async take(agentId: string): Promise<PrekeyBundleWire | null> {
    const held = this.#agents.get(agentId);
    if (!held) return null;
    return {
      v: 1,
      agentId,
      signedPrekey: held.signedPrekey,
      oneTimePrekey: held.oneTime.shift() ?? held.lastResortPrekey,
    };
  }

  async count(agentId: string): Promise<number> {
    return this.#agents.get(agentId)?.oneTime.length ?? 0;
  }
}
