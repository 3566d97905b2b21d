/**
 * The seed's journey, end to end, with real parts only (docs/protocol/seed.md):
 *
 *   Ana types "find 30 minutes with Ben next week" in her side panel and confirms: that is her consent (ASK1)
 *   → her agent queries Ben's agent over their end-to-end encrypted channel (paired by an invite)
 *   → Ben's person is asked once: the free times to share, which also accepts the time picked
 *   → Ben's agent answers with those times → Ana's agent picks one and proposes it → Ben's agent accepts
 *   → both agents put the meeting in their person's Google Calendar → both people are notified.
 *
 * Two Chromium profiles run the lab build of the extension (the product plus a clock a test can move,
 * `PARLEY_LAB=1`); each reaches the relay through its own small TCP load balancer in front of two relay
 * processes that share one Redis (append-only file on); each has a fake Google Calendar; one case uses the
 * fake OpenAI-compatible server. After the journey, the same journey runs under one fault per case (FLT1–FLT2
 * here, FLT4–FLT6 in seed-faults.test.ts; the rig is tests/e2e/seed-rig.ts).
 *
 * Watch it: `PARLEY_WATCH=1 npm run test:e2e -- seed` opens visible windows (needs a display) and pauses
 * a moment at each step.
 */
import { describe, expect, it } from 'vitest';
import { startRelayProcess } from '../../relay/testing/relay-process';
import { waitFor } from './harness';
import {
  askInPalette,
  balancer,
  journey,
  names,
  nodes,
  portOf,
  relayConnected,
  RELAY_ENV,
  rig,
  step,
  useSeedRig,
} from './seed-rig';

useSeedRig('seed');

describe('the seed journey', () => {
  it(
    '[SEED1][SEED2][SEED3][SEED4][SEED5] Ana asks in plain words; Ben is asked once and approves; both calendars get exactly one event; both are notified',
    { timeout: 600_000 },
    async () => {
      await journey('Ana');
    },
  );
});

describe('the seed journey under faults', () => {
  it(
    '[FLT1] a relay node killed with kill -9 while the answer, proposal and acceptance are in flight: the browsers reconnect to the other node and the meeting is booked once',
    { timeout: 600_000 },
    async () => {
      let loadAtKill = 0;
      await journey('Ana', {
        faults: {
          afterApproval: async () => {
            const victim = nodes.find((n) => (balancer.load.get(portOf(n)) ?? 0) > 0)!;
            loadAtKill = balancer.load.get(portOf(victim)) ?? 0;
            await victim.kill('SIGKILL');
            nodes.splice(nodes.indexOf(victim), 1);
            await step('a relay node is killed (kill -9)');
          },
        },
      });
      expect(loadAtKill).toBeGreaterThan(0);
      for (const name of names) await waitFor(async () => (await relayConnected(name)) === 'true', 30_000);
      // A fresh second node for the next cases.
      nodes.push(await startRelayProcess({ ...RELAY_ENV, REDIS_URL: rig.redis.url }));
    },
  );

  it(
    '[FLT2] Redis killed and restarted (append-only file) before and after the approval; the request typed once into the palette; nothing lost, nothing duplicated',
    { timeout: 600_000 },
    async () => {
      const restart = async () => {
        await rig.redis.kill();
        await step('Redis is killed');
        await rig.redis.restart();
        await step('Redis is back, from its append-only file');
      };
      await journey('Ana', {
        ask: askInPalette,
        faults: { beforeApproval: restart, afterApproval: restart },
      });
    },
  );
});
