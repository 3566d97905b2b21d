// Test helpers: a real socket.io-client agent with a real Ed25519 key.
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { io as connect, type Socket } from 'socket.io-client';
import { signedPrekeyMessage } from './prekeys';
import {
  loginMessage,
  type ClientToServerEvents,
  type Envelope,
  type PrekeyUploadWire,
  type Receipt,
  type ServerToClientEvents,
} from './protocol';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface TestAgent {
  readonly agentId: string;
  readonly privateKey: KeyObject;
  signLogin(nonce: string, agentId?: string): string;
}

export function makeAgent(): TestAgent {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const agentId = publicKey.export({ format: 'jwk' }).x!;
  return {
    agentId,
    privateKey,
    signLogin: (nonce, id = agentId) => sign(null, loginMessage(nonce, id), privateKey).toString('base64url'),
  };
}

export async function openSocket(url: string): Promise<ClientSocket> {
  const socket: ClientSocket = connect(url, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

/** Emits with an ack and resolves with whatever the relay answered. */
export function request(socket: ClientSocket, event: string, payload: unknown): Promise<any> {
  return (socket as unknown as Socket).timeout(5000).emitWithAck(event, payload);
}

export async function login(socket: ClientSocket, agent: TestAgent): Promise<any> {
  const challenge = await request(socket, 'auth:challenge', {});
  return request(socket, 'auth:login', {
    agentId: agent.agentId,
    nonce: challenge.nonce,
    signature: agent.signLogin(challenge.nonce),
  });
}

/** Collects delivered envelopes, acknowledging each batch unless told not to. */
export function inbox(socket: ClientSocket, { ack = true } = {}) {
  const received: Envelope[] = [];
  const batches: number[] = [];
  const waiters: (() => void)[] = [];
  socket.on('deliver', (envelopes, reply) => {
    received.push(...envelopes);
    batches.push(envelopes.length);
    if (ack) reply({ acked: envelopes.map((e) => e.id) });
    waiters.splice(0).forEach((w) => w());
  });
  return {
    received,
    /** How many envelopes each `deliver` carried (DLV1). */
    batches,
    async waitFor(count: number): Promise<Envelope[]> {
      while (received.length < count) await new Promise<void>((r) => waiters.push(r));
      return received;
    },
  };
}

/**
 * Alice and Bob, each logged in on a socket of its own, Bob's inbox acknowledging: how most relay
 * tests begin. `openBob` defaults to `openAlice` (one node).
 */
export async function aliceAndBob(
  openAlice: () => Promise<ClientSocket>,
  openBob: () => Promise<ClientSocket> = openAlice,
) {
  const [alice, bob] = [makeAgent(), makeAgent()];
  const a = await openAlice();
  const b = await openBob();
  await login(a, alice);
  await login(b, bob);
  return { alice, bob, a, b, bobInbox: inbox(b) };
}

/**
 * Every receipt a sender hears: alone, as `receipt` events, or riding on its `send` answers
 * (DLV4). Send through `send` for the second kind to be counted.
 */
export function receiptsOf(socket: ClientSocket) {
  const receipts: Receipt[] = [];
  socket.on('receipt', (r) => receipts.push(...r));
  return {
    receipts,
    async send(payload: { id: string; to: string; payload: string }): Promise<any> {
      const answer = await request(socket, 'send', payload);
      receipts.push(...((answer?.receipts as Receipt[] | undefined) ?? []));
      return answer;
    },
  };
}

export const envelopeId = () => crypto.randomUUID().replaceAll('-', '');
export const payloadOf = (text: string) => Buffer.from(text).toString('base64url');

let nextPrekeyId = 1000;
const randomKey32 = () => randomBytes(32).toString('base64url');

/** A prekey upload signed by the agent's key, as the extension makes it (PRE2, PRE3). */
export function makePrekeyUpload(
  agent: TestAgent,
  { oneTime = 3, signWith = agent }: { oneTime?: number; signWith?: TestAgent } = {},
): PrekeyUploadWire {
  const signedId = nextPrekeyId++;
  const signedKey = randomKey32();
  const signature = sign(
    null,
    signedPrekeyMessage(signedId, Buffer.from(signedKey, 'base64url')),
    signWith.privateKey,
  ).toString('base64url');
  return {
    v: 1,
    agentId: agent.agentId,
    signedPrekey: { id: signedId, publicKey: signedKey, signature },
    oneTimePrekeys: Array.from({ length: oneTime }, () => ({ id: nextPrekeyId++, publicKey: randomKey32() })),
    lastResortPrekey: { id: nextPrekeyId++, publicKey: randomKey32() },
  };
}
