import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeOpenAi, type FakeOpenAi } from './index';

/** The fake, driven by the real `openai` SDK: what it answers is what the SDK understands. */
let fake: FakeOpenAi;
let client: OpenAI;
beforeEach(async () => {
  fake = await startFakeOpenAi({ apiKeys: ['test'] });
  client = new OpenAI({ baseURL: fake.baseURL, apiKey: 'test', maxRetries: 0 });
});
afterEach(() => fake.close());

const ask = (stream: boolean) =>
  client.chat.completions.create({
    model: 'm',
    messages: [{ role: 'user', content: 'hi' }],
    stream: stream as false,
  });

describe('fake OpenAI-compatible server', () => {
  it('answers a scripted tool call as JSON and records the request body', async () => {
    fake.reply({ kind: 'tool', arguments: { a: 1 } });
    const completion = await ask(false);
    expect(completion.choices[0]!.message.tool_calls![0]).toMatchObject({
      type: 'function',
      function: { name: 'submit_command', arguments: '{"a":1}' },
    });
    expect(fake.requests[0]!.body).toMatchObject({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
  });

  it('streams tool-call arguments over SSE in pieces the SDK reassembles', async () => {
    fake.reply({ kind: 'tool', arguments: '{"intent":"help","x":"0123456789"}', chunkSize: 3 });
    const stream = client.chat.completions.stream({
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
    });
    const final = await stream.finalChatCompletion();
    expect(final.choices[0]!.message.tool_calls![0]!).toMatchObject({
      function: { arguments: '{"intent":"help","x":"0123456789"}' },
    });
  });

  it('answers 429 with Retry-After, 500, 401 and a non-JSON body as the SDK expects', async () => {
    fake.reply(
      { kind: 'error', status: 429, retryAfter: 2 },
      { kind: 'error', status: 500 },
      { kind: 'raw', status: 200, contentType: 'application/json', body: '<html>oops</html>' },
    );
    const limited = await ask(false).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
    expect((limited as InstanceType<typeof OpenAI.RateLimitError>).headers.get('retry-after')).toBe('2');
    await expect(ask(false)).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    await expect(ask(false)).rejects.toThrow();
    const wrongKey = new OpenAI({ baseURL: fake.baseURL, apiKey: 'nope', maxRetries: 0 });
    await expect(
      wrongKey.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }),
    ).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it('can be scripted over HTTP (npm run fake:openai)', async () => {
    await fetch(`http://127.0.0.1:${fake.port}/__control/replies`, {
      method: 'POST',
      body: JSON.stringify([{ kind: 'text', content: 'hello' }]),
    });
    expect(fake.pending()).toBe(1);
    const completion = await ask(false);
    expect(completion.choices[0]!.message.content).toBe('hello');
  });
});
