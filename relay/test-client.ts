// Test helpers: a real socket.io-client agent with a real Ed25519 key.
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { io as connect, type Socket } from 'socket.io-client';
import {
  loginMessage,
  type ClientToServerEvents,
  type Envelope,
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

/** Collects delivered envelopes, acknowledging each unless told not to. */
export function inbox(socket: ClientSocket, { ack = true } = {}) {
  const received: Envelope[] = [];
  const waiters: (() => void)[] = [];
  socket.on('deliver', (envelope, reply) => {
    received.push(envelope);
    if (ack) reply({ ok: true });
    waiters.splice(0).forEach((w) => w());
  });
  return {
    received,
    async waitFor(count: number): Promise<Envelope[]> {
      while (received.length < count) await new Promise<void>((r) => waiters.push(r));
      return received;
    },
  };
}

export const envelopeId = () => crypto.randomUUID().replaceAll('-', '');
export const payloadOf = (text: string) => Buffer.from(text).toString('base64url');
