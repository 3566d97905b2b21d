import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeLanguageModel } from '../../../tests/fakes/language-model';
import { configureLog, type LogLine } from '../../log';
import { commandOf, type Command, type CommandContext, type Understanding } from '../command';
import { detectModel, detectOnDevice } from './detect';
import { SYSTEM_PROMPT, commandJsonSchema } from './instructions';
import { NOTES, onDeviceUnderstanding } from './understanding';

const CONTACTS = ['Dana Whitfield', 'Ben Okafor', 'Ana Silva', 'Sam Lee', 'Sam Ortiz', 'Zoë Müller'];
const CONTEXT: CommandContext = { now: '2026-12-02T10:15:00', timeZone: 'Europe/Berlin', contacts: CONTACTS };
const EMPTY: Command = commandOf('unknown');
const cmd = (c: Partial<Command>): Command => ({ ...EMPTY, ...c });

/** The built-in parser's stand-in: answers `help` and counts its calls. */
function fakeFallback() {
  const calls: string[] = [];
  const fallback: Understanding = {
    provider: 'builtin',
    async understand(text) {
      calls.push(text);
      return cmd({ intent: 'help' });
    },
  };
  return { fallback, calls };
}

function setup(state: ConstructorParameters<typeof FakeLanguageModel>[0] = 'available') {
  const model = new FakeLanguageModel(state);
  const { fallback, calls } = fakeFallback();
  const od = onDeviceUnderstanding({ model, fallback });
  return { model, od, fallbackCalls: calls };
}

/** Every string the model was shown: initial prompts and each user prompt. */
const shown = (model: FakeLanguageModel) =>
  model.prompts.flatMap((p) => [p.input, ...p.initialPrompts.map((m) => m.content)]).join('\n');

let lines: LogLine[] = [];
beforeEach(() => {
  lines = [];
  configureLog({ level: 'debug', write: (line) => lines.push(line) });
});
afterEach(() => configureLog({ level: 'info', write: null }));

describe('detectOnDevice', () => {
  it('[ODM1] reports each documented state, asking with the same text-in, text-out options as create()', async () => {
    for (const state of ['available', 'downloadable', 'downloading'] as const) {
      const model = new FakeLanguageModel(state);
      expect(await detectOnDevice({ LanguageModel: model })).toEqual({ state });
      expect(model.availabilityCalls[0]).toEqual({
        expectedInputs: [{ type: 'text', languages: ['en'] }],
        expectedOutputs: [{ type: 'text', languages: ['en'] }],
      });
    }
    expect(await detectOnDevice({ LanguageModel: new FakeLanguageModel('unavailable') })).toEqual({
      state: 'unavailable',
      reason: 'not_supported',
    });
  });

  it('[ODM1] never throws: no global, a malformed global, a throwing availability() and odd answers are unavailable', async () => {
    expect(await detectOnDevice({})).toEqual({ state: 'unavailable', reason: 'no_global' });
    expect(await detectOnDevice({ LanguageModel: { availability: 1 } })).toEqual({
      state: 'unavailable',
      reason: 'no_global',
    });
    const getterThrows = Object.defineProperty({}, 'LanguageModel', {
      get() {
        throw new Error('boom');
      },
    });
    expect(await detectOnDevice(getterThrows)).toEqual({ state: 'unavailable', reason: 'no_global' });

    const notSupported = new FakeLanguageModel();
    notSupported.availabilityThrows = new DOMException('no service', 'NotSupportedError');
    expect(await detectModel(notSupported)).toEqual({ state: 'unavailable', reason: 'not_supported' });
    const throws = new FakeLanguageModel();
    throws.availabilityThrows = new TypeError('bad');
    expect(await detectModel(throws)).toEqual({ state: 'unavailable', reason: 'availability_threw' });
    const syncThrow = {
      availability: () => {
        throw new Error('sync');
      },
      create: () => Promise.reject(new Error('x')),
    };
    expect(await detectModel(syncThrow)).toEqual({ state: 'unavailable', reason: 'availability_threw' });
    const odd = { availability: async () => 'readily', create: () => Promise.reject(new Error('x')) };
    expect(await detectModel(odd as never)).toEqual({ state: 'unavailable', reason: 'unknown_answer' });
  });
});

describe('onDeviceUnderstanding', () => {
  it('[ODM2] [ODM3] understands on the device: one session, a clone per command, the schema as responseConstraint', async () => {
    const { model, od, fallbackCalls } = setup();
    model.reply(
      {
        json: cmd({
          intent: 'schedule',
          participants: ['Contact 1'],
          durationMinutes: 30,
          partOfDay: 'morning',
        }),
      },
      { json: cmd({ intent: 'agenda', window: { from: '2026-12-02', to: '2026-12-02' } }) },
    );
    const first = await od.understandWithNote('find 30 minutes with Dana next week, mornings', CONTEXT);
    expect(first).toEqual({
      provider: 'on-device',
      command: cmd({
        intent: 'schedule',
        participants: ['Dana Whitfield'],
        durationMinutes: 30,
        partOfDay: 'morning',
      }),
    });
    expect(await od.understand('what do I have today', CONTEXT)).toEqual(
      cmd({ intent: 'agenda', window: { from: '2026-12-02', to: '2026-12-02' } }),
    );
    expect(fallbackCalls).toEqual([]);
    expect(model.createCalls).toHaveLength(1);
    expect(model.createCalls[0]!.initialPrompts).toEqual([{ role: 'system', content: SYSTEM_PROMPT }]);
    expect(model.createCalls[0]!.expectedInputs).toEqual([{ type: 'text', languages: ['en'] }]);
    expect(model.created).toBe(3); // the session and one clone per command
    expect(model.destroyed).toBe(2); // each clone, after its answer
    for (const p of model.prompts) expect(p.responseConstraint).toEqual(commandJsonSchema());
    expect(commandJsonSchema()).toMatchObject({ type: 'object', additionalProperties: false });
    expect(model.prompts[0]!.input).toContain(
      'Now: 2026-12-02T10:15:00 (Wednesday), time zone Europe/Berlin.',
    );

    od.dispose();
    await new Promise((r) => setTimeout(r, 0));
    expect(model.destroyed).toBe(3);
    expect((await od.understandWithNote('x', CONTEXT)).provider).toBe('builtin');
  });

  it('[ODM2] a failed session creation is not cached; the next command tries again', async () => {
    const { model, od } = setup();
    model.create = async () => {
      model.create = FakeLanguageModel.prototype.create.bind(model);
      throw new TypeError('transient');
    };
    expect((await od.understandWithNote('help', CONTEXT)).noteCode).toBe('failed');
    model.reply({ json: cmd({ intent: 'help' }) });
    expect(await od.understandWithNote('help', CONTEXT)).toEqual({
      provider: 'on-device',
      command: cmd({ intent: 'help' }),
    });
  });

  it('[ODM4] no contact name reaches any prompt; placeholders come back as names, typed text and unresolved', async () => {
    const { model, od } = setup();
    model.reply(
      {
        json: cmd({ intent: 'schedule', participants: ['Contact 1', 'Contact 2', 'Priya'], unresolved: [] }),
      },
      {
        json: cmd({ intent: 'message', participants: ['Contact 1'], text: 'is Contact 2 joining? ask zoe' }),
      },
      { json: cmd({ intent: 'cancel', participants: ['contact 1'], unresolved: ['[Contact 2]'] }) },
    );
    const a = await od.understand('30 min with ana silva, Sam and Priya tmrw', CONTEXT);
    expect(a.participants).toEqual(['Ana Silva']);
    expect(a.unresolved).toEqual(['Sam', 'Priya']);
    const b = await od.understand('tell Ben is Zoë Müller joining? ask zoe', CONTEXT);
    expect(b).toMatchObject({ participants: ['Ben Okafor'], text: 'is Zoë Müller joining? ask zoe' });
    const c = await od.understand("cancel Dana's 1:1 with sam on Friday", CONTEXT);
    expect(c).toMatchObject({ participants: ['Dana Whitfield'], unresolved: ['sam'] });

    const everything = shown(model);
    for (const name of [...CONTACTS, 'Ana', 'Sam', 'Ben', 'Zoë', 'Dana', 'Okafor', 'Whitfield'])
      expect(everything.toLowerCase()).not.toContain(name.toLowerCase());
    expect(model.prompts[0]!.input).toContain('Command: 30 min with Contact 1, Contact 2 and Priya tmrw');
    expect(model.prompts[2]!.input).toContain("Command: cancel Contact 1's 1:1 with Contact 2 on Friday");
    expect(model.prompts[0]!.input).toContain(
      'Placeholders: Contact 1 (one contact), Contact 2 (several contacts).',
    );
  });

  it('[ODM4] e-mail addresses, phone numbers and URLs reach no prompt either; a message body gets them back', async () => {
    const { model, od } = setup();
    model.reply({
      json: cmd({
        intent: 'message',
        participants: ['Contact 1'],
        text: 'mail [email] or call [phone], see [url]',
      }),
    });
    const typed = 'tell Ben mail dana.w@example.org or call +44 20 7946 0958, see https://meet.example.com/x';
    const r = await od.understand(typed, CONTEXT);
    expect(r).toMatchObject({
      participants: ['Ben Okafor'],
      text: 'mail dana.w@example.org or call +44 20 7946 0958, see https://meet.example.com/x',
    });
    expect(model.prompts[0]!.input).toContain(
      'Command: tell Contact 1 mail [email] or call [phone], see [url]',
    );
    for (const secret of ['example', '7946', 'dana'])
      expect(shown(model).toLowerCase()).not.toContain(secret);
  });

  it('[ODM5] an answer that is not JSON is never used: the fallback answers with a note', async () => {
    const { model, od, fallbackCalls } = setup();
    model.reply({ raw: 'Sure! Here is your meeting: {intent: schedule' });
    expect(await od.understandWithNote('book Ben', CONTEXT)).toEqual({
      provider: 'builtin',
      command: cmd({ intent: 'help' }),
      note: NOTES.unreadable,
      noteCode: 'unreadable',
    });
    expect(fallbackCalls).toEqual(['book Ben']);
  });

  it('[ODM5] JSON that is not a command falls back too, before and after the names are put back', async () => {
    const { model, od } = setup();
    model.reply(
      { raw: JSON.stringify({ ...EMPTY, intent: 'party' }) },
      { raw: JSON.stringify({ ...EMPTY, window: { from: '2026-13-01', to: '2026-12-02' } }) },
      { raw: JSON.stringify({ ...EMPTY, extra: 1 }) },
    );
    for (let i = 0; i < 3; i++) {
      const r = await od.understandWithNote('x', CONTEXT);
      expect(r).toMatchObject({ provider: 'builtin', note: NOTES.invalid, noteCode: 'invalid' });
    }
    // A valid answer can still break the schema once names are back (a contact's display name over 120
    // characters): checked after restoring too.
    const long = 'X'.repeat(130);
    const restoredTooLong = onDeviceUnderstanding({
      model: new FakeLanguageModel().reply({
        json: cmd({ intent: 'schedule', participants: ['Contact 1'] }),
      }),
      fallback: fakeFallback().fallback,
    });
    const r = await restoredTooLong.understandWithNote(`meet ${long}`, { ...CONTEXT, contacts: [long] });
    expect(r).toMatchObject({ provider: 'builtin', noteCode: 'invalid' });
  });

  it('[ODM6] unavailable: the fallback answers with the documented note, and nothing is created', async () => {
    const { model, od, fallbackCalls } = setup('unavailable');
    const r = await od.understandWithNote('lunch with Ana', CONTEXT);
    expect(r).toEqual({
      provider: 'builtin',
      command: cmd({ intent: 'help' }),
      note: "Chrome's on-device model is not available here; using the built-in parser.",
      noteCode: 'unavailable',
    });
    expect(fallbackCalls).toEqual(['lunch with Ana']);
    expect(model.createCalls).toEqual([]);
    expect(model.prompts).toEqual([]);

    const noGlobal = onDeviceUnderstanding({ model: undefined, fallback: fakeFallback().fallback });
    expect((await noGlobal.understandWithNote('x', CONTEXT)).note).toBe(NOTES.unavailable);
  });

  it('[ODM6] create() throwing NotSupportedError after availability said yes is the unavailable note', async () => {
    const { model, od } = setup();
    model.create = () => Promise.reject(new DOMException('the service is not running', 'NotSupportedError'));
    expect(await od.understandWithNote('x', CONTEXT)).toMatchObject({
      provider: 'builtin',
      note: NOTES.unavailable,
    });
  });

  it('[ODM6] downloadable and downloading are reported and fall back; prepare() downloads with progress', async () => {
    const { model, od } = setup('downloadable');
    expect(await od.state()).toEqual({ state: 'downloadable' });
    expect((await od.understandWithNote('x', CONTEXT)).note).toBe(NOTES.downloadable);
    expect(model.createCalls).toEqual([]);
    const progress: number[] = [];
    expect(await od.prepare({ onProgress: (loaded) => progress.push(loaded) })).toEqual({
      state: 'available',
    });
    expect(progress).toEqual([0, 0.5, 1]);
    model.reply({ json: cmd({ intent: 'invite' }) });
    expect(await od.understandWithNote('make an invite code', CONTEXT)).toMatchObject({
      provider: 'on-device',
    });
    expect(model.createCalls).toHaveLength(1);

    const downloading = setup('downloading');
    expect((await downloading.od.understandWithNote('x', CONTEXT)).note).toBe(NOTES.downloading);
    expect(await setup('unavailable').od.prepare()).toEqual({
      state: 'unavailable',
      reason: 'not_supported',
    });
  });

  it('[ODM7] an aborted signal rejects with its reason and never falls back, before or during the prompt', async () => {
    const { model, od, fallbackCalls } = setup();
    const before = new AbortController();
    before.abort(new DOMException('stop', 'AbortError'));
    await expect(od.understandWithNote('x', CONTEXT, { signal: before.signal })).rejects.toBe(
      before.signal.reason,
    );

    model.reply({ hang: true });
    const during = new AbortController();
    const pending = od.understandWithNote('book Ben', CONTEXT, { signal: during.signal });
    await expect.poll(() => model.prompts.length).toBe(1);
    during.abort(new DOMException('person cancelled', 'AbortError'));
    await expect(pending).rejects.toBe(during.signal.reason);
    expect(fallbackCalls).toEqual([]);
    expect(model.createCalls[0]!.signal).toBe(during.signal);
    expect(model.destroyed).toBe(1); // the clone
  });

  it('[ODM8] logs carry codes only: no words, names, prompts or answers', async () => {
    const { model, od } = setup();
    model.reply(
      { raw: 'garbage about Dana Whitfield' },
      { json: cmd({ intent: 'schedule', participants: ['Contact 1'] }) },
      { error: new Error('model exploded near Ben Okafor') },
    );
    await od.understandWithNote('lunch with Dana Whitfield', CONTEXT);
    await od.understandWithNote('lunch with Ben', CONTEXT);
    await od.understandWithNote('lunch with Ben', CONTEXT);
    expect(lines.map((l) => l.event)).toEqual(['fallback', 'understood', 'model_failed', 'fallback']);
    const written = JSON.stringify(lines);
    for (const word of ['Dana', 'Ben', 'lunch', 'garbage', 'exploded', 'Command'])
      expect(written).not.toContain(word);
    expect(lines[0]!.fields).toEqual({ reason: 'unreadable' });
    expect(lines[2]!.fields).toEqual({ error: 'error' });
  });
});
