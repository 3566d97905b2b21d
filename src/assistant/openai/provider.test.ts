import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeOpenAi, type FakeOpenAi } from '../../../tests/fakes/openai';
import { configureLog, type LogLine } from '../../log';
import { commandOf, type Command, type CommandContext, type Understanding } from '../command';
import { memoryCache } from './cache';
import { NOTE_HINTS, UnderstandingAbortedError } from './errors';
import { tokenBucket } from './limiter';
import { openAiUnderstanding, type OpenAiUnderstandingOptions } from './provider';

const CONTACTS = ['Zoë Müller', 'Bob Stone', 'Anna Berg'];
const CONTEXT: CommandContext = { now: '2026-12-07T09:15:00', timeZone: 'Europe/Berlin', contacts: CONTACTS };
const command = (over: Partial<Command> = {}): Command => ({ ...commandOf('schedule'), ...over });
const FALLBACK_COMMAND = command({ intent: 'unknown' });
/** The injected fallback: the built-in parser's place, answering one fixed command. */
const fallback: Understanding = { provider: 'builtin', understand: async () => FALLBACK_COMMAND };

let fake: FakeOpenAi;
const sleeps: number[] = [];
beforeEach(async () => {
  fake = await startFakeOpenAi({ apiKeys: ['test'] });
  sleeps.length = 0;
});
afterEach(() => fake.close());

const provider = (over: Partial<OpenAiUnderstandingOptions> = {}) =>
  openAiUnderstanding({
    baseURL: fake.baseURL,
    apiKey: 'test',
    model: 'gpt-test',
    fallback,
    sleep: async (ms) => void sleeps.push(ms),
    ...over,
  });

describe('openAiUnderstanding against the fake server, through the real SDK', () => {
  it('[AST3] sends one forced submit_command tool with a strict schema and restores display names', async () => {
    fake.reply({
      kind: 'tool',
      arguments: command({ participants: ['Contact 1', 'Contact 2'], durationMinutes: 30 }),
    });
    const result = await provider().understandWithNote('30 min with Zoë and bob stone', CONTEXT);
    expect(result).toEqual({
      command: command({ participants: ['Zoë Müller', 'Bob Stone'], durationMinutes: 30 }),
      provider: 'openai',
    });
    const body = fake.requests[0]!.body as Record<string, any>;
    expect(body).toMatchObject({
      model: 'gpt-test',
      stream: true,
      parallel_tool_calls: false,
      tool_choice: { type: 'function', function: { name: 'submit_command' } },
    });
    expect(body.tools).toHaveLength(1);
    const params = body.tools[0].function.parameters;
    expect(body.tools[0].function.strict).toBe(true);
    expect(params.additionalProperties).toBe(false);
    expect(params.required).toEqual(Object.keys(params.properties));
    expect(params.properties.window.anyOf[0]).toMatchObject({
      additionalProperties: false,
      required: ['from', 'to'],
    });
    expect(params.properties.durationMinutes.anyOf).toContainEqual({ type: 'null' });
    expect(body.messages.at(-1)).toEqual({ role: 'user', content: '30 min with Contact 1 and Contact 2' });
    expect(body.messages[0].content).toContain('2026-12-07');
    expect(body.messages[0].content).toContain('Europe/Berlin');
  });

  it('[AST3][CHT2] reassembles tool-call arguments streamed in small pieces; streamed text reaches onText as it grows, names put back', async () => {
    fake.reply({
      kind: 'tool',
      content: 'Looking at your day with Contact 1 and Contact 2.',
      arguments: command({ intent: 'agenda', window: { from: '2026-12-08', to: '2026-12-08' } }),
      chunkSize: 2,
    });
    const texts: string[] = [];
    const result = await provider().understandWithNote('what do I have with anna and Bob tomorrow', CONTEXT, {
      onText: (t) => texts.push(t),
    });
    expect(result.command).toEqual(
      command({ intent: 'agenda', window: { from: '2026-12-08', to: '2026-12-08' } }),
    );
    // Several arrivals, each the whole text so far, the last one complete and in the person's words.
    expect(texts.length).toBeGreaterThan(2);
    expect(texts.at(-1)).toBe('Looking at your day with anna and Bob.');
    for (const [i, t] of texts.entries())
      if (i > 0) expect(t.length).toBeGreaterThanOrEqual(texts[i - 1]!.length);
  });

  it('[CHT4] the summary of earlier requests goes out under the same placeholders as the command, is logged as sent, and keys the cache', async () => {
    const earlier = [
      '- schedule, with Anna Berg, 30 minutes, 2026-12-08 to 2026-12-12 (proposed, waiting for confirmation)',
    ];
    const recorded: string[] = [];
    const cache = memoryCache();
    const p = provider({ cache, record: (r) => recorded.push(r.text) });
    const reply = {
      kind: 'tool' as const,
      arguments: command({ participants: ['Contact 1'], durationMinutes: 60 }),
    };
    fake.reply(reply, reply);
    const result = await p.understandWithNote('make it an hour with Anna', { ...CONTEXT, earlier });
    expect(result.command.participants).toEqual(['Anna Berg']);
    const system = (fake.requests[0]!.body as { messages: { content: string }[] }).messages[0]!.content;
    expect(system).toContain('- schedule, with Contact 1, 30 minutes, 2026-12-08 to 2026-12-12');
    expect(JSON.stringify(fake.requests[0]!.body)).not.toMatch(/Anna|Berg/);
    expect(recorded).toEqual([
      'make it an hour with Contact 1\n\nEarlier in this conversation:\n- schedule, with Contact 1, 30 minutes, 2026-12-08 to 2026-12-12 (proposed, waiting for confirmation)',
    ]);
    // The same words with no earlier context are another request, not a cache hit.
    await p.understandWithNote('make it an hour with Anna', CONTEXT);
    expect(fake.requests).toHaveLength(2);
    await p.understandWithNote('make it an hour with Anna', { ...CONTEXT, earlier });
    expect(fake.requests).toHaveLength(2);
  });

  it('[AST4] repairs a malformed call once, sending the validation error back, then succeeds', async () => {
    fake.reply(
      { kind: 'tool', arguments: '{"intent":"schedule","participants":["Contact 1"' },
      { kind: 'tool', arguments: command({ participants: ['Contact 1'] }) },
    );
    const result = await provider().understandWithNote('meet Anna', CONTEXT);
    expect(result).toEqual({ command: command({ participants: ['Anna Berg'] }), provider: 'openai' });
    const repair = fake.requests[1]!.body.messages as { role: string; content: string | null }[];
    expect(repair.at(-2)).toMatchObject({
      role: 'assistant',
      tool_calls: [{ function: { name: 'submit_command' } }],
    });
    expect(repair.at(-1)).toMatchObject({ role: 'tool' });
    expect(repair.at(-1)!.content).toContain('not valid JSON');
  });

  it('[AST4] an unknown tool and then a schema violation end with the fallback and a note', async () => {
    fake.reply(
      { kind: 'tool', name: 'delete_everything', arguments: '{}' },
      { kind: 'tool', arguments: { intent: 'dance' } },
    );
    const result = await provider().understandWithNote('meet Anna', CONTEXT);
    expect(result).toEqual({ command: FALLBACK_COMMAND, provider: 'builtin', note: 'malformed-reply' });
    expect(fake.requests).toHaveLength(2);
    expect(JSON.stringify(fake.requests[1]!.body.messages)).toContain('Unknown tool');
  });

  it('[AST5] retries 429 after the Retry-After it was given, then succeeds', async () => {
    fake.reply({ kind: 'error', status: 429, retryAfter: 2 }, { kind: 'tool', arguments: command() });
    const result = await provider().understandWithNote('a meeting', CONTEXT);
    expect(result.provider).toBe('openai');
    expect(sleeps).toEqual([2000]);
    expect(fake.requests).toHaveLength(2);
  });

  it('[AST5] a Retry-After beyond the bound is not waited for; repeated 500s end with the fallback', async () => {
    fake.reply({ kind: 'error', status: 429, retryAfter: 3600 });
    expect(await provider().understandWithNote('a meeting', CONTEXT)).toMatchObject({
      provider: 'builtin',
      note: 'rate-limited',
    });
    expect(sleeps).toEqual([]);
    fake.reply(
      { kind: 'error', status: 500 },
      { kind: 'error', status: 502 },
      { kind: 'error', status: 503 },
    );
    const result = await provider().understandWithNote('a meeting', CONTEXT);
    expect(result).toEqual({ command: FALLBACK_COMMAND, provider: 'builtin', note: 'server-error' });
    expect(sleeps).toEqual([500, 1000]);
    expect(fake.requests).toHaveLength(4);
  });

  it('[AST6] no key, a refused key, an unreachable endpoint and a non-JSON body each fall back with a clear note', async () => {
    expect(await provider({ apiKey: '' }).understandWithNote('a meeting', CONTEXT)).toMatchObject({
      provider: 'builtin',
      note: 'no-key',
    });
    expect(fake.requests).toHaveLength(0);
    const refused = await provider({ apiKey: 'wrong' }).understandWithNote('a meeting', CONTEXT);
    expect(refused).toMatchObject({ provider: 'builtin', note: 'unauthorized' });
    expect(NOTE_HINTS[refused.note!]).toMatch(/401.*check the key/);
    const closed = await startFakeOpenAi();
    await closed.close();
    expect(
      await provider({ baseURL: closed.baseURL }).understandWithNote('a meeting', CONTEXT),
    ).toMatchObject({
      note: 'unreachable',
    });
    fake.reply(
      { kind: 'raw', status: 500, contentType: 'application/json', body: '<html>' },
      { kind: 'raw', status: 200, contentType: 'text/html', body: '<html>oops</html>' },
      { kind: 'raw', status: 200, contentType: 'text/html', body: '<html>oops</html>' },
    );
    expect(await provider({ maxAttempts: 1 }).understandWithNote('a meeting', CONTEXT)).toMatchObject({
      note: 'server-error',
    });
    expect(await provider().understandWithNote('a meeting', CONTEXT)).toMatchObject({
      note: 'malformed-reply',
    });
  });

  it('[AST6] the person cancelling rejects, without a fallback answer; a slow endpoint times out to the fallback', async () => {
    fake.reply({ kind: 'hang' });
    const controller = new AbortController();
    const pending = provider().understandWithNote('a meeting', CONTEXT, { signal: controller.signal });
    await expect.poll(() => fake.requests.length).toBe(1);
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(UnderstandingAbortedError);
    await expect(provider().understand('a meeting', CONTEXT, AbortSignal.abort())).rejects.toBeInstanceOf(
      UnderstandingAbortedError,
    );
    fake.reply({ kind: 'hang' });
    expect(
      await provider({ timeoutMs: 200, maxAttempts: 1 }).understandWithNote('a meeting', CONTEXT),
    ).toMatchObject({ provider: 'builtin', note: 'timeout' });
  });

  it('[AST7] a cached answer for the same redacted text, model, date and zone makes no request', async () => {
    const cache = memoryCache();
    fake.reply({ kind: 'tool', arguments: command({ participants: ['Contact 1'] }) });
    const first = await provider({ cache }).understand('meet Zoë', CONTEXT);
    const again = await provider({ cache }).understand('meet Zoë', CONTEXT);
    expect(again).toEqual(first);
    expect(first.participants).toEqual(['Zoë Müller']);
    expect(fake.requests).toHaveLength(1);
    // Another contact with the same placeholder reuses the answer; names never enter the cache.
    expect((await provider({ cache }).understand('meet Bob', CONTEXT)).participants).toEqual(['Bob Stone']);
    expect(fake.requests).toHaveLength(1);
    fake.reply({ kind: 'tool', arguments: command() });
    await provider({ cache }).understand('meet Zoë', { ...CONTEXT, now: '2026-12-08T09:00:00' });
    expect(fake.requests).toHaveLength(2);
  });

  it('[AST8] an empty token bucket refuses: no request, the fallback answers with a note; it refills', async () => {
    let t = 0;
    const limiter = tokenBucket({ capacity: 1, refillPerMinute: 1, now: () => t });
    const p = provider({ limiter });
    fake.reply({ kind: 'tool', arguments: command() }, { kind: 'tool', arguments: command() });
    expect((await p.understandWithNote('one', CONTEXT)).provider).toBe('openai');
    expect(await p.understandWithNote('two', CONTEXT)).toMatchObject({
      provider: 'builtin',
      note: 'local-rate-limit',
    });
    expect(fake.requests).toHaveLength(1);
    t += 60_000;
    expect((await p.understandWithNote('three', CONTEXT)).provider).toBe('openai');
  });
});

describe('privacy by mechanism', () => {
  const SECRETS = [
    'zed@example.org',
    '+44 20 7946 0958',
    'https://secret.example/room/42',
    'meet.example.com/xyz',
  ];

  it('[AST1] requests carry placeholders, never contact names, e-mails, phone numbers or URLs', async () => {
    const texts = [
      `lunch with Zoë Müller and bob next week, mail ${SECRETS[0]}`,
      `call anna on ${SECRETS[1]} tomorrow afternoon`,
      `tell Zoe to join ${SECRETS[2]} or ${SECRETS[3]}`,
    ];
    const p = provider();
    for (const text of texts) {
      fake.reply({ kind: 'tool', arguments: command() });
      await p.understand(text, CONTEXT);
    }
    const sent = fake.requests.map((r) => r.raw).join('\n');
    for (const secret of [...CONTACTS, 'Zoë', 'Zoe', 'Müller', 'bob', 'anna', ...SECRETS]) {
      expect(sent.toLowerCase()).not.toContain(secret.toLowerCase());
    }
    expect(sent).toContain('Contact 1');
    expect(sent).toContain('[email]');
    expect(sent).toContain('[phone]');
    expect(sent).toContain('[url]');
  });

  it('[AST1] no injection string given as a contact name ever reaches the endpoint', async () => {
    const file = path.join(import.meta.dirname, '../../../../shared/vectors/injection/dev_injections.jsonl');
    const injections = readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { text: string }).text);
    expect(injections.length).toBeGreaterThan(100);
    const p = provider();
    for (const name of injections) {
      fake.reply({ kind: 'tool', arguments: command({ participants: ['Contact 1'] }) });
      const result = await p.understand(`schedule 30 minutes with ${name} tomorrow`, {
        ...CONTEXT,
        contacts: [...CONTACTS, name],
      });
      expect(result.participants).toEqual([name]);
    }
    const sent = fake.requests.map((r) => r.raw);
    const leaked = injections.filter((name) =>
      sent.some((raw) => raw.includes(JSON.stringify(name).slice(1, -1))),
    );
    expect(leaked).toEqual([]);
  });

  it('[AST9] logs carry no prompt, text, name or key', async () => {
    const lines: LogLine[] = [];
    configureLog({ level: 'debug', write: (line) => lines.push(line) });
    try {
      fake.reply(
        { kind: 'error', status: 503 },
        { kind: 'tool', arguments: '{' },
        { kind: 'tool', arguments: '{' },
      );
      await provider({ apiKey: 'test' }).understandWithNote(`meet Zoë Müller at ${SECRETS[0]}`, CONTEXT);
    } finally {
      configureLog({ level: 'info', write: null });
    }
    const logged = JSON.stringify(lines);
    expect(lines.map((l) => l.event)).toEqual(expect.arrayContaining(['retry', 'repair', 'fallback']));
    for (const secret of ['Zoë', 'Müller', 'Contact 1', 'meet', SECRETS[0]!, 'test"']) {
      expect(logged).not.toContain(secret);
    }
  });
});
