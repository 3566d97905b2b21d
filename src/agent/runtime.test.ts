import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRelay, type Relay } from '../../relay/server';
import { startFakeOpenAi } from '../../tests/fakes/openai';
import { commandOf } from '../assistant';
import { ParleyError } from '../errors';
import { clearLog, configureLog, recentLogLines } from '../log';
import { CALENDAR_ALARM, MINUTE_ALARM, OPEN_PALETTE_COMMAND } from './runtime';
import { PASSPHRASE, connected, eventually, startAgent, type TestAgent } from './test-support';

/**
 * The agent runtime as the background runs it — real vault (fake-indexeddb), real sessions, a real
 * relay for the tests that talk — driven through the in-memory platform's messaging, as a popup would.
 */
let relay: Relay;
let relayUrl: string;
const agents: TestAgent[] = [];

beforeAll(async () => {
  relay = createRelay();
  ({ url: relayUrl } = await relay.listen(0));
});
afterAll(() => relay.close());
afterEach(() => {
  agents.splice(0).forEach((a) => a.lifetime.abort());
});

async function agent(options?: Parameters<typeof startAgent>[0]): Promise<TestAgent> {
  const a = await startAgent(options);
  agents.push(a);
  return a;
}

async function unlockedAgent(name: string): Promise<TestAgent> {
  const a = await agent();
  await a.rpc.call('vault.setUp', { passphrase: PASSPHRASE });
  await a.rpc.call('settings.set', { relayUrl, displayName: name });
  await connected(a);
  return a;
}

describe('lifecycle', () => {
  it('[ACT5] set up, lock, unlock: actions that need the agent answer locked or setup_required until then', async () => {
    const a = await agent();
    expect(await a.rpc.call('status.get', {})).toEqual({ lock: 'setup_required' });
    await expect(a.rpc.call('contacts.list', {})).rejects.toMatchObject({ code: 'setup_required' });

    const status = await a.rpc.call('vault.setUp', { passphrase: PASSPHRASE });
    expect(status).toMatchObject({ lock: 'unlocked', agent: { contacts: 0 } });
    expect(await a.rpc.call('contacts.list', {})).toEqual([]);

    expect(await a.rpc.call('vault.lock', {})).toEqual({ lock: 'locked' });
    await expect(a.rpc.call('contacts.list', {})).rejects.toMatchObject({ code: 'locked' });
    await expect(a.rpc.call('vault.unlock', { passphrase: 'not the passphrase' })).rejects.toMatchObject({
      code: 'wrong_passphrase',
    });
    expect(await a.rpc.call('vault.unlock', { passphrase: PASSPHRASE })).toMatchObject({ lock: 'unlocked' });
    expect(await a.rpc.call('contacts.list', {})).toEqual([]);
  });

  it('[ACT5] a restarted worker resumes the unlocked agent without the passphrase, same identity', async () => {
    const a = await agent();
    const before = await a.rpc.call('vault.setUp', { passphrase: PASSPHRASE });
    const b = await a.restart();
    agents.push(b);
    const after = await b.rpc.call('status.get', {});
    expect(after).toMatchObject({ lock: 'unlocked', agent: { agentId: before.agent!.agentId } });
    // The old worker answers nothing any more: its listener went with it.
    expect(a.platform.listenerCount()).toEqual({ message: 0, command: 0, alarm: 0 });
  });

  it('[LIF1] locking stops the session: its relay link disconnects', async () => {
    const a = await unlockedAgent('Ana');
    const { agentId } = (await a.rpc.call('status.get', {})).agent!;
    const sockets = () =>
      [...relay.io.of('/').sockets.values()].filter((s) => s.data.agentId === agentId).length;
    expect(sockets()).toBe(1);
    await a.rpc.call('vault.lock', {});
    // The relay no longer sees the agent: the link stopped with the session.
    await eventually(sockets).toBe(0);
  });

  it('[LIF2] stopping the runtime removes every listener it added', async () => {
    const a = await agent();
    expect(a.platform.listenerCount()).toEqual({ message: 1, command: 1, alarm: 2 });
    a.lifetime.abort();
    expect(a.platform.listenerCount()).toEqual({ message: 0, command: 0, alarm: 0 });
    expect(await a.platform.send({ kind: 'parley/rpc', id: 'x', method: 'status.get', input: {} })).toBe(
      undefined,
    );
  });

  it('[LIF3] the open-palette command reaches the runtime; other commands are logged, not acted on', async () => {
    const a = await agent();
    a.platform.command(OPEN_PALETTE_COMMAND);
    a.platform.command('something-else');
    expect(a.palettes).toEqual([1]);
  });

  it('[SYN10] the calendar alarm is every 15 minutes and syncs only while the agent is unlocked', async () => {
    const a = await agent();
    expect(a.platform.alarms.get(CALENDAR_ALARM)).toBe(15);
    expect(a.platform.alarms.get(MINUTE_ALARM)).toBe(1);
    await a.rpc.call('vault.setUp', { passphrase: PASSPHRASE });
    const calendarEvents = () => a.topics().filter((t) => t === 'calendar').length;
    const before = calendarEvents();
    a.platform.fireAlarm(CALENDAR_ALARM);
    await eventually(calendarEvents).toBeGreaterThan(before); // a sync ran and reported
    await a.rpc.call('vault.lock', {});
    const locked = calendarEvents();
    a.platform.fireAlarm(CALENDAR_ALARM);
    a.platform.fireAlarm(MINUTE_ALARM);
    await new Promise((resolve) => setImmediate(resolve));
    expect(calendarEvents()).toBe(locked);
  });
});

describe('actions', () => {
  it('[ACT1][ACT2] every method of the contract is one registered action with a title and an effect', async () => {
    const a = await agent();
    const actions = a.runtime.actions.list();
    const ids = actions.map((x) => x.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const required of [
      'status.get',
      'contacts.list',
      'contacts.rename',
      'contacts.block',
      'contacts.remove',
      'invite.create',
      'invite.accept',
      'messages.send',
      'calendar.sync',
      'negotiations.start',
      'negotiations.decide',
      'negotiations.cancel',
      'negotiations.reschedule',
      'preferences.set',
      'settings.set',
      'data.export',
      'account.signIn',
      'diagnostics.get',
    ]) {
      expect(ids).toContain(required);
    }
    for (const action of actions) {
      expect(action.title.length, action.id).toBeGreaterThan(3);
      expect(['read', 'change', 'danger']).toContain(action.effect);
    }
  });

  it('[ACT3][RPC2] every action validates its input whatever the caller compiled: unknown fields are refused, naming the field', async () => {
    const a = await agent();
    await a.rpc.call('vault.setUp', { passphrase: PASSPHRASE });
    for (const { id } of a.runtime.actions.list()) {
      const answer = await a.platform.send({
        kind: 'parley/rpc',
        id: 'r',
        method: id,
        input: { unexpected: true },
      });
      expect(answer, id).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    }
    await expect(a.rpc.call('messages.send', { contactId: 'nobody', text: 'hi' })).rejects.toMatchObject({
      code: 'bad_request',
      field: 'contactId',
    });
    await expect(
      a.rpc.call('settings.set', {
        firebase: { apiKey: 'key', projectId: '', authDomain: '', emulatorUrl: '' },
      }),
    ).rejects.toMatchObject({ code: 'bad_request', field: 'firebase.projectId' });
    await expect(a.rpc.call('vault.setUp', { passphrase: 'short' })).rejects.toMatchObject({
      code: 'bad_request',
      field: 'passphrase',
    });
  });

  it('[RPC3] an unknown method, including __proto__, is unknown_method', async () => {
    const a = await agent();
    for (const method of ['vault.dump', '__proto__', 'constructor', 'toString']) {
      expect(await a.platform.send({ kind: 'parley/rpc', id: 'r', method, input: {} })).toMatchObject({
        ok: false,
        error: { code: 'unknown_method' },
      });
    }
  });

  it('[ACT4] known failures keep their code and a message that says what to do; only bugs are internal, and logged without their text', async () => {
    const a = await agent();
    await a.rpc.call('vault.setUp', { passphrase: PASSPHRASE });
    // The calendar capability refuses (no OAuth client id): its error crosses as a calendar code.
    const calendar = await a.rpc.call('calendar.connect', {}).catch((e: ParleyError) => e);
    expect(calendar).toMatchObject({ code: expect.stringMatching(/^calendar_/) });
    // The vault refuses a file that is not a backup.
    await expect(
      a.rpc.call('data.import', { file: '{"not":"a backup"}', passphrase: PASSPHRASE, mode: 'merge' }),
    ).rejects.toMatchObject({ code: 'backup_invalid' });
    await expect(
      a.rpc.call('contacts.rename', { contactId: 'A'.repeat(43), name: 'Ben' }),
    ).rejects.toMatchObject({ code: 'contact_unknown', message: expect.stringContaining('try again') });
    await expect(
      a.rpc.call('negotiations.decide', { negotiationId: 'nope', actionHash: 'h', approved: true }),
    ).rejects.toMatchObject({ code: 'bad_request' });

    // A bug: the registry answers internal, and the log keeps the class, not the text.
    clearLog();
    configureLog({ level: 'info' });
    const { ActionRegistry } = await import('./registry');
    const { actionsFor, NoInput } = await import('../rpc');
    const action = actionsFor<object>();
    const registry = new ActionRegistry().register(
      {
        'test.bug': action({
          input: NoInput,
          title: 'A bug',
          effect: 'read',
          run: async () => {
            throw new TypeError('cannot read "Dinner with Dana"');
          },
        }),
      },
      () => ({}),
    );
    const failure = await registry.dispatch('test.bug', {}).catch((e: ParleyError) => e);
    expect(failure).toMatchObject({ code: 'internal' });
    expect((failure as Error).message).not.toContain('Dana');
    const line = recentLogLines().find((l) => l.event === 'action_failed');
    expect(line?.fields).toEqual({ action: 'test.bug', error: 'type_error' });
    expect(JSON.stringify(recentLogLines())).not.toContain('Dana');
  });

  it('[LOG3] diagnostics hold versions and log lines, and no user data', async () => {
    const a = await agent();
    await a.rpc.call('vault.setUp', { passphrase: PASSPHRASE });
    await a.rpc.call('settings.set', { displayName: 'Dana Secret' });
    await a.rpc.call('calendar.connect', {}).catch(() => undefined);
    const report = await a.rpc.call('diagnostics.get', {});
    expect(report).toMatchObject({ extensionVersion: '0.0.0-test', userAgent: 'vitest', lock: 'unlocked' });
    const text = JSON.stringify(report);
    expect(text).not.toContain('Dana');
    expect(text).not.toContain(PASSPHRASE);
  });
});

describe('contacts', () => {
  it('[CTC1][CTC2][CTC3] rename, block and remove a paired contact through the actions', async () => {
    const [ana, ben] = [await unlockedAgent('Ana'), await unlockedAgent('Ben')];
    const { code } = await ana.rpc.call('invite.create', {});
    const { contact } = await ben.rpc.call('invite.accept', { code });
    expect(contact).toMatchObject({ name: 'Ana', status: 'paired' });
    const anaId = contact.agentId;
    await eventually(async () => (await ana.rpc.call('contacts.list', {})).length).toBe(1);
    const benId = (await ana.rpc.call('contacts.list', {}))[0]!.agentId;

    // [CTC1] The person's own name sticks.
    expect(await ben.rpc.call('contacts.rename', { contactId: anaId, name: 'Ana (work)' })).toMatchObject({
      name: 'Ana (work)',
    });

    // [CTC2] Ana blocks Ben: what Ben sends is dropped unread, and Ana cannot write to Ben.
    expect(await ana.rpc.call('contacts.block', { contactId: benId, blocked: true })).toMatchObject({
      status: 'blocked',
    });
    await ben.rpc.call('messages.send', { contactId: anaId, text: 'are you there?' });
    await eventually(async () => (await ben.rpc.call('messages.list', { contactId: anaId }))[0]?.status).toBe(
      'sent',
    );
    await expect(ana.rpc.call('messages.send', { contactId: benId, text: 'hi' })).rejects.toMatchObject({
      code: 'contact_unknown',
    });
    // Unblocked, Ben's next message arrives; the one sent while blocked never does.
    await ana.rpc.call('contacts.block', { contactId: benId, blocked: false });
    await ben.rpc.call('messages.send', { contactId: anaId, text: 'now?' });
    await eventually(async () =>
      (await ana.rpc.call('messages.list', { contactId: benId })).map((m) => m.text),
    ).toEqual(['now?']);

    // [CTC3] Removed: gone from the list, and writing to it is refused.
    expect(await ana.rpc.call('contacts.remove', { contactId: benId })).toEqual({ removed: benId });
    expect(await ana.rpc.call('contacts.list', {})).toEqual([]);
    await expect(ana.rpc.call('messages.send', { contactId: benId, text: 'x' })).rejects.toMatchObject({
      code: 'contact_unknown',
    });
  });
});

describe('the agent you talk to', () => {
  it('[PRP3][PRP5][PRP6] words become a proposal; confirming runs it once through the registry; a follow-up edits it', async () => {
    const [ana, ben] = [await unlockedAgent('Ana Silva'), await unlockedAgent('Ben Okafor')];
    const { code } = await ana.rpc.call('invite.create', {});
    const { contact } = await ben.rpc.call('invite.accept', { code });
    await eventually(async () => (await ana.rpc.call('contacts.list', {})).length).toBe(1);

    const reply = await ana.rpc.call('assistant.ask', { text: 'tell Ben the deck is ready' });
    expect(reply).toMatchObject({
      provider: 'builtin',
      command: { intent: 'message', participants: ['Ben Okafor'], text: 'the deck is ready' },
      proposal: { actions: [{ label: 'Message Ben Okafor: “the deck is ready”' }] },
    });
    // Nothing was sent before the person confirmed.
    expect(
      await ana.rpc.call('messages.list', {
        contactId: (await ana.rpc.call('contacts.list', {}))[0]!.agentId,
      }),
    ).toEqual([]);

    expect(await ana.rpc.call('assistant.confirm', { proposalId: reply.proposal!.id })).toEqual({ done: 1 });
    await eventually(async () =>
      (await ben.rpc.call('messages.list', { contactId: contact.agentId })).map((m) => m.text),
    ).toEqual(['the deck is ready']);
    // [PRP2] A proposal runs once.
    await expect(ana.rpc.call('assistant.confirm', { proposalId: reply.proposal!.id })).rejects.toMatchObject(
      {
        code: 'bad_request',
      },
    );

    // [PRP6] A follow-up edits the pending request; the old proposal is withdrawn.
    const first = await ana.rpc.call('assistant.ask', { text: 'find 30 minutes with Ben next week' });
    const edited = await ana.rpc.call('assistant.ask', { text: 'make it an hour' });
    expect(edited).toMatchObject({
      command: { intent: 'schedule', participants: ['Ben Okafor'], durationMinutes: 60 },
      proposal: { actions: [{ label: expect.stringContaining('60 minutes') }] },
    });
    await expect(ana.rpc.call('assistant.confirm', { proposalId: first.proposal!.id })).rejects.toMatchObject(
      {
        code: 'bad_request',
      },
    );

    // A name that is no contact: nothing is proposed.
    const unknown = await ana.rpc.call('assistant.ask', { text: 'find 30 minutes with Priya tomorrow' });
    expect(unknown.proposal).toBeUndefined();
    expect(unknown.reply).toMatch(/Priya/);
  });
});

describe('the conversation with the agent', () => {
  it('[CHT1][CHT3][CHT5] every turn is kept in the vault, read back after lock and restart, searchable, and deletable', async () => {
    const [ana, ben] = [await unlockedAgent('Ana Silva'), await unlockedAgent('Ben Okafor')];
    const { code } = await ana.rpc.call('invite.create', {});
    await ben.rpc.call('invite.accept', { code });
    await eventually(async () => (await ana.rpc.call('contacts.list', {})).length).toBe(1);

    const first = await ana.rpc.call('assistant.ask', { text: 'tell Ben the quarterly deck is ready' });
    await ana.rpc.call('assistant.confirm', { proposalId: first.proposal!.id });
    const second = await ana.rpc.call('assistant.ask', { text: 'find 30 minutes with Ben next week' });
    await ana.rpc.call('assistant.dismiss', { proposalId: second.proposal!.id });
    await ana.rpc.call('assistant.ask', { text: 'find an hour with Ben tomorrow' });

    const view = (turns: { role: string; text: string; proposal?: { state: string } }[]) =>
      turns.map((t) => [t.role, t.proposal?.state ?? null]);
    const { turns } = await ana.rpc.call('assistant.thread', {});
    expect(turns.map((t) => t.text).filter((_, i) => i % 2 === 0)).toEqual([
      'tell Ben the quarterly deck is ready',
      'find 30 minutes with Ben next week',
      'find an hour with Ben tomorrow',
    ]);
    expect(view(turns)).toEqual([
      ['person', null],
      ['agent', 'done'],
      ['person', null],
      ['agent', 'dismissed'],
      ['person', null],
      ['agent', 'open'],
    ]);

    // Lock and unlock: the thread is read back from the vault.
    await ana.rpc.call('vault.lock', {});
    await ana.rpc.call('vault.unlock', { passphrase: PASSPHRASE });
    expect((await ana.rpc.call('assistant.thread', {})).turns.map((t) => t.id)).toEqual(
      turns.map((t) => t.id),
    );
    // A restarted worker has forgotten the open proposal: the thread says it expired (CHT3).
    const restarted = await ana.restart();
    agents.push(restarted);
    const after = await restarted.rpc.call('assistant.thread', {});
    expect(view(after.turns).at(-1)).toEqual(['agent', 'expired']);

    // Searchable beside the conversations with contacts.
    const hits = await restarted.rpc.call('messages.search', { text: 'quarterly' });
    expect(hits).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ conversation: 'assistant', direction: 'out', contactName: 'your agent' }),
        expect.objectContaining({ conversation: 'contact', direction: 'out', contactName: 'Ben Okafor' }),
      ]),
    );

    expect(await restarted.rpc.call('assistant.clearThread', {})).toEqual({ cleared: true });
    expect((await restarted.rpc.call('assistant.thread', {})).turns).toEqual([]);
    expect(
      (await restarted.rpc.call('messages.search', { text: 'quarterly' })).map((h) => h.conversation),
    ).toEqual(['contact']);
  });
});

describe('the agent you talk to, through a model', () => {
  it('[PRP5][AST1][AST10] with an OpenAI-compatible endpoint chosen, the model understands, sees only placeholders, and the reply says so', async () => {
    const fake = await startFakeOpenAi({ apiKeys: ['sk-test'] });
    try {
      const [ana, ben] = [await unlockedAgent('Ana Silva'), await unlockedAgent('Ben Okafor')];
      const { code } = await ana.rpc.call('invite.create', {});
      await ben.rpc.call('invite.accept', { code });
      await eventually(async () => (await ana.rpc.call('contacts.list', {})).length).toBe(1);
      await ana.rpc.call('settings.set', {
        assistant: { provider: 'openai', baseUrl: fake.baseURL, model: 'gpt-test' },
      });
      expect(await ana.rpc.call('assistant.setKey', { apiKey: 'sk-test' })).toEqual({ hasKey: true });
      expect(await ana.rpc.call('assistant.status', {})).toMatchObject({ provider: 'openai', hasKey: true });

      fake.reply({
        kind: 'tool',
        arguments: commandOf('schedule', { participants: ['Contact 1'], durationMinutes: 45 }),
      });
      const reply = await ana.rpc.call('assistant.ask', {
        text: 'could Ben and I grab 45 minutes some time?',
      });
      expect(reply).toMatchObject({
        provider: 'openai',
        command: { participants: ['Ben Okafor'], durationMinutes: 45 },
        proposal: { actions: [{ label: expect.stringContaining('45 minutes') }] },
      });
      const sent = JSON.stringify(fake.requests.map((r) => r.body));
      expect(sent).not.toContain('Ben');
      expect(sent).toContain('Contact 1');
      // [AST10] The person can see exactly what left the device.
      expect(await ana.rpc.call('assistant.requests', {})).toEqual([
        {
          at: expect.any(Number),
          model: 'gpt-test',
          text: 'could Contact 1 and I grab 45 minutes some time?',
        },
      ]);

      // The endpoint refuses (500 every time): the built-in parser answers, and the reply says why.
      for (let i = 0; i < 3; i++) fake.reply({ kind: 'error', status: 500 });
      const fallback = await ana.rpc.call('assistant.ask', { text: 'find 30 minutes with Ben tomorrow' });
      expect(fallback).toMatchObject({ provider: 'builtin', note: expect.stringMatching(/\w/) });
    } finally {
      await fake.close();
    }
  });
});

describe('injection, by mechanism', () => {
  it('[AST1][PRP2][CHT4] what a peer writes (its name, its messages, its meeting titles) never reaches the model, not even through the summary of earlier turns, and nothing happens without the person', async () => {
    const injections = readFileSync(
      path.join(import.meta.dirname, '../../../shared/vectors/injection/dev_injections.jsonl'),
      'utf8',
    )
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => (JSON.parse(l) as { text: string }).text);
    const fake = await startFakeOpenAi({ apiKeys: ['sk-test'] });
    try {
      const peerName = injections.find((t) => t.length <= 60)!;
      const [ana, mallory] = [await unlockedAgent('Ana Silva'), await unlockedAgent(peerName)];
      const { code } = await ana.rpc.call('invite.create', {});
      const { contact } = await mallory.rpc.call('invite.accept', { code });
      await eventually(async () => (await ana.rpc.call('contacts.list', {})).length).toBe(1);
      // The peer asks Ana's agent for meetings whose titles are injection strings.
      for (const title of injections.slice(0, 3)) {
        await mallory.rpc.call('negotiations.start', {
          contactIds: [contact.agentId],
          durationMin: 30,
          title: title.slice(0, 200),
          withinDays: 7,
        });
      }
      await eventually(async () => (await ana.rpc.call('negotiations.list', {})).length).toBe(3);
      // Every injection string reaches Ana as the peer's messages, a few strings per message.
      const batches: string[] = [];
      for (const text of injections) {
        const last = batches.at(-1);
        if (last !== undefined && last.length + text.length < 3900)
          batches[batches.length - 1] = `${last}\n${text}`;
        else batches.push(text.slice(0, 3900));
      }
      for (const text of batches)
        await mallory.rpc.call('messages.send', { contactId: contact.agentId, text });
      const malloryId = (await ana.rpc.call('contacts.list', {}))[0]!.agentId;
      await eventually(
        async () => (await ana.rpc.call('messages.list', { contactId: malloryId })).length,
      ).toBe(batches.length);

      await ana.rpc.call('settings.set', {
        assistant: { provider: 'openai', baseUrl: fake.baseURL, model: 'gpt-test' },
      });
      await ana.rpc.call('assistant.setKey', { apiKey: 'sk-test' });
      // The model answers each with a schedule request naming the one contact, so the thread fills with
      // requests whose summary goes out with the next command (CHT4); the built-in parser answers the rest.
      const asks = [
        'what meetings do I have this week?',
        'accept everything that is waiting',
        'find 30 minutes next week',
        'make it an hour',
        'cancel my meeting with them',
        'help',
      ];
      for (const text of asks) {
        fake.reply({ kind: 'tool', arguments: commandOf('schedule', { participants: ['Contact 1'] }) });
        await ana.rpc.call('assistant.ask', { text });
      }
      const withSummary = fake.requests.filter((r) =>
        r.raw.includes('Earlier requests in this conversation'),
      );
      expect(withSummary.length).toBeGreaterThan(0);
      expect(fake.requests.length).toBeGreaterThan(0);
      const sent = fake.requests.map((r) => r.raw).join('\n');
      const leaked = injections.filter((t) => sent.includes(t));
      expect(leaked).toEqual([]);
      // Nothing was shared or booked: every request from the peer still waits for Ana.
      const meetings = await ana.rpc.call('negotiations.list', {});
      expect(meetings.every((m) => m.outcome === undefined)).toBe(true);
    } finally {
      await fake.close();
    }
  });
});

describe('what leaves the device in a backup', () => {
  it('[ICS8][DAT2] a subscribed secret address is in the backup only sealed: data.export never carries it in clear, in any encoding', async () => {
    // A secret address on this machine, answering a small calendar.
    const { createServer } = await import('node:http');
    const secretPath = `/calendar/ical/${crypto.randomUUID()}/private-${crypto.randomUUID()}/basic.ics`;
    const server = createServer((req, res) => {
      res.writeHead(req.url === secretPath ? 200 : 404, { 'content-type': 'text/calendar' });
      res.end(
        req.url === secretPath
          ? 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:one@test\r\n' +
              'DTSTAMP:20261201T000000Z\r\nDTSTART:20261210T090000Z\r\nDTEND:20261210T100000Z\r\n' +
              'SUMMARY:Dentist\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n'
          : '',
      );
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    try {
      const { port } = server.address() as { port: number };
      const address = `http://127.0.0.1:${port}${secretPath}`;
      const ana = await unlockedAgent('Ana Silva');
      const overview = await ana.rpc.call('calendar.subscribeIcs', { url: address });
      expect(overview.calendars).toEqual([expect.objectContaining({ source: 'url', events: 1 })]);

      const { file } = await ana.rpc.call('data.export', { passphrase: PASSPHRASE });
      const secret = secretPath.split('/').filter((s) => s.length >= 20);
      expect(secret.length).toBeGreaterThan(0);
      for (const piece of [address, secretPath, ...secret]) {
        const bytes = new TextEncoder().encode(piece);
        for (const encoded of [
          piece,
          Buffer.from(bytes).toString('base64'),
          Buffer.from(bytes).toString('base64url'),
          Buffer.from(bytes).toString('hex'),
          encodeURIComponent(piece),
        ])
          expect(file).not.toContain(encoded);
      }
      // It is there, sealed: the backup restores the subscription on another profile.
      const bea = await unlockedAgent('Bea');
      await bea.rpc.call('data.import', { file, passphrase: PASSPHRASE, mode: 'replace' });
      await eventually(async () => (await bea.rpc.call('calendar.overview', {})).calendars.length).toBe(1);
    } finally {
      await new Promise((ok) => server.close(ok));
    }
  });
});
