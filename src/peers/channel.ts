import {
  E2eError,
  createPrekeyState,
  createSessionAsInitiator,
  encrypt,
  fromBase64Url,
  maintainPrekeys,
  parsePrekeyBundle,
  parsePrekeyState,
  prekeyUploadToWire,
  receiveMessage,
  sessionFromJson,
  sessionToJson,
  toBase64Url,
  type Identity,
  type PrekeyState,
  type PrekeyUploadWire,
  type Session,
} from '../crypto';
import { ParleyError } from '../errors';
import type { AgentStore, StoreWrite } from '../store';

type Answer<T> = ({ ok: true } & T) | { ok: false; error: { code: string; message: string } };

/** Where the agent's public prekeys live: the relay (through the link), or a fake. */
export interface KeyDirectory {
  fetchPrekeyBundle(agentId: string): Promise<Answer<{ bundle: unknown }>>;
  publishPrekeys(upload: PrekeyUploadWire): Promise<Answer<{ oneTimePrekeys: number }>>;
  countPrekeys(): Promise<Answer<{ oneTimePrekeys: number }>>;
}

const encoder = new TextEncoder();
/** [E2E2] The envelope id is the ratchet's associated data: the relay cannot move a ciphertext to another id. */
const adFor = (envelopeId: string) => encoder.encode(`parley/envelope/v1\n${envelopeId}`);

/**
 * End-to-end encryption between agents (docs/protocol/crypto.md): X3DH from the
 * relay's prekey bundles, then a Double Ratchet per contact. Every method returns
 * the writes that persist the new key state; the caller commits them together
 * with what the message changed, before the relay is told to forget it.
 */
export class SecureChannel {
  constructor(
    private readonly me: Identity,
    private readonly store: AgentStore,
    private readonly directory: KeyDirectory,
    private readonly now: () => number,
  ) {}

  /** Seals `plaintext` for `to`, starting a session from its prekey bundle if there is none. */
  async seal(
    to: string,
    envelopeId: string,
    plaintext: Uint8Array,
  ): Promise<{ payload: string; writes: StoreWrite[] }> {
    let session = await this.#session(to);
    if (!session) {
      const answer = await this.directory.fetchPrekeyBundle(to);
      if (!answer.ok) {
        throw new ParleyError(
          'relay_unavailable',
          `Could not fetch your contact’s keys (${answer.error.code}).`,
        );
      }
      session = createSessionAsInitiator(this.me, parsePrekeyBundle(answer.bundle, to)).session;
    }
    const sent = encrypt(session, plaintext, adFor(envelopeId));
    return {
      payload: toBase64Url(sent.message),
      writes: [{ kind: 'session', agentId: to, value: sessionToJson(sent.session) }],
    };
  }

  /** Opens an envelope from `from`; throws `E2eError` when it cannot be trusted. */
  async open(
    from: string,
    envelopeId: string,
    payload: string,
  ): Promise<{ plaintext: Uint8Array; writes: StoreWrite[] }> {
    let message: Uint8Array;
    try {
      message = fromBase64Url(payload);
    } catch (cause) {
      // A relay envelope we cannot even decode: typed, so the peer service drops it and moves on.
      throw new E2eError('malformed_message', 'the payload is not base64url', { cause });
    }
    const prekeys = await this.#prekeys();
    const got = receiveMessage({
      me: this.me,
      from,
      prekeys,
      session: await this.#session(from),
      message,
      ad: adFor(envelopeId),
    });
    const writes: StoreWrite[] = [{ kind: 'session', agentId: from, value: sessionToJson(got.session) }];
    if (got.prekeys !== prekeys) writes.push({ kind: 'prekeys', value: got.prekeys });
    return { plaintext: got.plaintext, writes };
  }

  /**
   * [E2E1] Keeps the relay's prekeys fresh: creates them on first run, rotates the
   * signed prekey, replenishes one-time prekeys, and republishes everything when
   * the relay holds none (a fresh or restarted relay).
   */
  async maintainPrekeys(): Promise<void> {
    const count = await this.directory.countPrekeys();
    if (!count.ok) return;
    const saved = await this.store.getPrekeys();
    const now = this.now();
    let state: PrekeyState;
    let upload;
    if (!saved) {
      ({ state, upload } = createPrekeyState(this.me, { now }));
    } else {
      const maintained = maintainPrekeys(this.me, parsePrekeyState(saved), {
        now,
        oneTimeCountOnRelay: count.oneTimePrekeys,
      });
      state = maintained.state;
      upload = maintained.upload;
    }
    // Persist the secrets before the public halves leave the device.
    await this.store.commit([{ kind: 'prekeys', value: state }]);
    if (upload) await this.directory.publishPrekeys(prekeyUploadToWire(upload));
  }

  async #session(agentId: string): Promise<Session | undefined> {
    const json = await this.store.getSession(agentId);
    return json === undefined ? undefined : sessionFromJson(json);
  }

  async #prekeys(): Promise<PrekeyState> {
    const saved = await this.store.getPrekeys();
    if (!saved) throw new E2eError('unknown_prekey', 'this agent has not published prekeys yet');
    return parsePrekeyState(saved);
  }
}
