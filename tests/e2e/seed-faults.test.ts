/**
 * The seed's journey under more faults (docs/protocol/seed.md, FLT4–FLT6), on its own rig (tests/e2e/seed-rig.ts:
 * two browsers with the lab build, two relay nodes sharing one Redis behind a TCP balancer, a fake Google
 * Calendar each) so that each case starts from browsers and relay no earlier fault touched:
 *
 * - FLT5: the model endpoint answers 429, then fails; the built-in parser takes over.
 * - FLT6: Ben's browser closed for the whole negotiation, his agent back a day later (the lab clock): Ana's
 *   agent follows up and her side panel says whom it waits for and since when (issue 16, SIL1–SIL2).
 * - FLT4: the network dropped and restored (the balancer cuts every connection, then lets them in again).
 *
 * Each ends as SEED3–SEED5 say: booked, one event per calendar, each disclosure audited once.
 */
import { describe, expect, it } from 'vitest';
import { startFakeOpenAi, type FakeOpenAi } from '../fakes/openai';
import { openConnectedPanel, rpc, waitFor } from './harness';
import {
  agents,
  askInSidePanel,
  balancer,
  HOUR,
  journey,
  launch,
  meetingLine,
  meetings,
  names,
  panels,
  relayConnected,
  setClock,
  step,
  useSeedRig,
  type Ask,
} from './seed-rig';

useSeedRig('seed-faults');

describe('the seed journey under more faults', () => {
  it(
    '[FLT5] the model endpoint answers 429 and then fails: the built-in parser understands the request, the person is told so, and the meeting is booked once',
    { timeout: 600_000 },
    async () => {
      const fake: FakeOpenAi = await startFakeOpenAi({
        apiKeys: ['sk-seed'],
        defaultReply: { kind: 'error', status: 500 },
      });
      try {
        fake.reply({ kind: 'error', status: 429, retryAfter: 0 });
        const call = (method: string, input: unknown) => rpc(panels.Ben, method, input);
        expect(
          await call('settings.set', {
            assistant: {
              provider: 'openai',
              baseUrl: fake.baseURL,
              model: 'gpt-seed',
            },
          }),
        ).toMatchObject({ ok: true });
        expect(await call('assistant.setKey', { apiKey: 'sk-seed' })).toMatchObject({ ok: true });
        const withFailingModel: Ask = async (organizer, words) => {
          await askInSidePanel(organizer, words);
          const reply = await panels[organizer].$eval(
            '[data-testid=command-reply]',
            (el) => el.textContent ?? '',
          );
          expect(reply).toMatch(/built-in parser/);
          expect(
            await panels[organizer].$eval('[data-testid=command-provider]', (el) => el.textContent ?? ''),
          ).toContain('built-in');
        };
        await journey('Ben', { ask: withFailingModel });
        expect(fake.requests.length).toBeGreaterThanOrEqual(2);
      } finally {
        await rpc(panels.Ben, 'settings.set', {
          assistant: { provider: 'builtin' },
        });
        await fake.close();
      }
    },
  );

  it(
    '[FLT6] the participant’s browser closed for the whole negotiation and opened a day later: the organizer is told it waits for Ben’s agent and since when, a follow-up goes out, and the meeting completes once',
    { timeout: 600_000 },
    async () => {
      const DAY_AND_A_BIT = 26 * HOUR;
      let askedAt = 0;
      let told = '';
      const whileBenIsAway: Ask = async (organizer, words) => {
        // Ben's agent will wake a day later on its own clock (the lab build's offset), then his browser closes.
        await setClock('Ben', DAY_AND_A_BIT);
        await agents.Ben.close();
        await step('Ben closes his browser');
        await askInSidePanel(organizer, words);
      };
      await journey('Ana', {
        ask: whileBenIsAway,
        faults: {
          afterRequest: async (j) => {
            const id = j.ids.Ana;
            await waitFor(async () => (await meetingLine('Ana', id)).kind === 'waiting', 60_000, 'waiting');
            told = (await meetingLine('Ana', id)).words;
            expect(told).toMatch(/^Waiting for Ben.s agent — (no answer|offline) since \S/);
            const [waiting] = (await meetings('Ana')).find((m) => m.id === id)!.waiting!;
            expect(waiting!.name).toBe('Ben');
            expect(waiting!.followedUpAt).toBeUndefined();
            askedAt = waiting!.askedAt;
            await step(`Ana's side panel: ${told}`);

            // A day passes on Ana's clock: her agent's next minute tick follows up (SIL1).
            await setClock('Ana', DAY_AND_A_BIT);
            let followedUp: number | undefined;
            await waitFor(
              async () => {
                const m = (await meetings('Ana')).find((x) => x.id === id)!;
                followedUp = m.waiting?.[0]?.followedUpAt;
                return followedUp !== undefined;
              },
              180_000,
              'the follow-up to Ben',
            );
            expect(followedUp! - askedAt).toBeGreaterThanOrEqual(24 * HOUR);
            // Still waiting for Ben's agent, and saying since when (his agent is known offline by now).
            told = (await meetingLine('Ana', id)).words;
            expect(told).toMatch(/^Waiting for Ben.s agent — (no answer|offline) since \S/);
            await step(`a day later Ana's agent followed up; her side panel still says: ${told}`);

            agents.Ben = await launch('Ben');
            panels.Ben = await openConnectedPanel(agents.Ben);
            await step('Ben opens his browser');
          },
        },
      });
    },
  );

  it(
    '[FLT4] the network dropped (the relay unreachable) while the person approves, then restored: both side panels say they are offline meanwhile, and the meeting is booked once',
    { timeout: 600_000 },
    async () => {
      await journey('Ana', {
        faults: {
          beforeApproval: async () => {
            balancer.down();
            for (const name of names) {
              await waitFor(
                async () => (await relayConnected(name)) === 'false',
                30_000,
                `${name} told offline`,
              );
            }
            await step('the network is down: both side panels say the relay is not connected');
          },
          afterApproval: async (j) => {
            // Nothing can be booked while nobody reaches the relay; the organizer still waits.
            await new Promise((r) => setTimeout(r, 3000));
            expect((await meetingLine(j.organizer, j.ids[j.organizer])).outcome).toBe('');
            balancer.up();
            for (const name of names) {
              await waitFor(async () => (await relayConnected(name)) === 'true', 60_000, `${name} back`);
            }
            await step('the network is back');
          },
        },
      });
    },
  );
});
