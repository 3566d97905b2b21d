/**
 * bench:crypto — measures, in one Node run with libsodium-wrappers:
 *   aead_us          raw XChaCha20-Poly1305 encrypt+decrypt of 1 KiB (the baseline);
 *   ratchet_us       our Double Ratchet encrypt+decrypt of 1 KiB within one sending chain;
 *   pingpong_p99_ms  p99 per message (encrypt + decrypt) when the sender alternates, so every
 *                    message carries a DH ratchet step;
 *   x3dh_ms          a full session set-up: bundle parse + verify, X3DH on both sides and the
 *                    first message encrypted and decrypted (median).
 * Last line: one JSON object. Targets: ratchet_vs_aead ≤ 2.0, pingpong_p99_ms ≤ 1, x3dh_ms ≤ 2.
 */
import {
  acceptSessionAsResponder,
  bundleFromUpload,
  createPrekeyState,
  createSessionAsInitiator,
  decrypt,
  DEFAULT_PREKEY_POLICY,
  encrypt,
  generateIdentity,
  loadSodium,
  parsePrekeyBundle,
  prekeyBundleToWire,
  type Session,
} from '../src/crypto/index';

const sodium = await loadSodium();
const now = () => Number(process.hrtime.bigint()) / 1e3; // µs

/** Mean µs per call of `run` over `iterations` calls. */
function timeOps(iterations: number, run: () => void): number {
  const start = now();
  for (let i = 0; i < iterations; i++) run();
  return (now() - start) / iterations;
}

/**
 * The machine is shared: the two throughput cases run interleaved in rounds, and each one's
 * median round is kept, so background load hits both sides of the ratio alike.
 */
function compare(cases: Record<string, () => void>, rounds = 9, iterations = 5000): Record<string, number> {
  const samples: Record<string, number[]> = {};
  for (const [name, run] of Object.entries(cases)) {
    timeOps(2000, run); // warm-up (JIT, wasm heap)
    samples[name] = [];
  }
  for (let round = 0; round < rounds; round++) {
    for (const [name, run] of Object.entries(cases)) samples[name]!.push(timeOps(iterations, run));
  }
  return Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, percentile(values, 50)]));
}

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const plaintext = sodium.randombytes_buf(1024);

// Baseline: the bare AEAD call pair, fixed key and nonce, no associated data. (Our ratchet also
// draws a random nonce and authenticates a 105-byte AD per message; that cost counts as ours.)
const key = sodium.randombytes_buf(32);
const nonce = sodium.randombytes_buf(24);
const aeadCase = () => {
  const sealed = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, null, null, nonce, key);
  sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, sealed, null, nonce, key);
};

async function connected(): Promise<{ alice: Session; bob: Session }> {
  const aliceId = await generateIdentity();
  const bobId = await generateIdentity();
  const { state, upload } = createPrekeyState(bobId, { now: Date.now() });
  const started = createSessionAsInitiator(aliceId, bundleFromUpload(upload, upload.oneTimePrekeys[0]));
  const first = encrypt(started.session, new Uint8Array(1));
  const accepted = acceptSessionAsResponder(bobId, state, first.message);
  const reply = encrypt(accepted.session, new Uint8Array(1));
  return { alice: decrypt(first.session, reply.message).session, bob: reply.session };
}

// One sending chain: Alice sends, Bob receives in order; no DH steps.
let { alice, bob } = await connected();
const ratchetCase = () => {
  const sent = encrypt(alice, plaintext);
  alice = sent.session;
  bob = decrypt(bob, sent.message).session;
};
// For context only (stderr): the AEAD as a protocol must use it, a fresh random nonce per message
// and the same 105-byte associated data the ratchet authenticates.
const contextAd = sodium.randombytes_buf(64 + 41);
const aeadInUseCase = () => {
  const fresh = new Uint8Array(24);
  globalThis.crypto.getRandomValues(fresh);
  const sealed = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, contextAd, null, fresh, key);
  sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, sealed, contextAd, fresh, key);
};
const {
  aead: aeadUs,
  ratchet: ratchetUs,
  aeadInUse: aeadInUseUs,
} = compare({ aead: aeadCase, ratchet: ratchetCase, aeadInUse: aeadInUseCase }) as {
  aead: number;
  ratchet: number;
  aeadInUse: number;
};
console.error(
  `raw aead 1 KiB enc+dec: ${aeadUs.toFixed(2)} µs; ratchet 1 KiB enc+dec, one chain: ${ratchetUs.toFixed(2)} µs`,
);
console.error(
  `(context: aead with a random nonce and 105-byte AD: ${aeadInUseUs.toFixed(2)} µs; ratchet / that = ${(ratchetUs / aeadInUseUs).toFixed(2)})`,
);

// Ping-pong: the sender alternates, so each message triggers a DH ratchet step at the receiver.
({ alice, bob } = await connected());
const pingpong: number[] = [];
for (let i = 0; i < 3000; i++) {
  const start = now();
  if (i % 2 === 0) {
    const sent = encrypt(alice, plaintext);
    alice = sent.session;
    bob = decrypt(bob, sent.message).session;
  } else {
    const sent = encrypt(bob, plaintext);
    bob = sent.session;
    alice = decrypt(alice, sent.message).session;
  }
  if (i >= 200) pingpong.push(now() - start);
}
console.error(
  `ping-pong per message: p50 ${(percentile(pingpong, 50) / 1000).toFixed(3)} ms, p99 ${(percentile(pingpong, 99) / 1000).toFixed(3)} ms`,
);

// Full set-up: identities and prekeys exist already (made once, off the clock).
const aliceId = await generateIdentity();
const bobId = await generateIdentity();
const created = createPrekeyState(bobId, {
  now: Date.now(),
  policy: { ...DEFAULT_PREKEY_POLICY, oneTimeBatchSize: 500 },
});
const setups: number[] = [];
let prekeys = created.state;
for (let i = 0; i < 400; i++) {
  const wire = JSON.parse(
    JSON.stringify(prekeyBundleToWire(bundleFromUpload(created.upload, created.upload.oneTimePrekeys[i]))),
  );
  const start = now();
  const bundle = parsePrekeyBundle(wire);
  const { session } = createSessionAsInitiator(aliceId, bundle);
  const first = encrypt(session, plaintext);
  const accepted = acceptSessionAsResponder(bobId, prekeys, first.message);
  const elapsed = now() - start;
  prekeys = accepted.prekeys;
  if (i >= 50) setups.push(elapsed);
}
const x3dhMs = percentile(setups, 50) / 1000;
console.error(
  `session set-up (both sides + first message): p50 ${x3dhMs.toFixed(3)} ms, p99 ${(percentile(setups, 99) / 1000).toFixed(3)} ms`,
);

const round = (value: number, digits: number) => Number(value.toFixed(digits));
console.log(
  JSON.stringify({
    suite: 'crypto',
    aead_us: round(aeadUs, 2),
    ratchet_us: round(ratchetUs, 2),
    ratchet_vs_aead: round(ratchetUs / aeadUs, 2),
    pingpong_p99_ms: round(percentile(pingpong, 99) / 1000, 3),
    x3dh_ms: round(x3dhMs, 3),
  }),
);
