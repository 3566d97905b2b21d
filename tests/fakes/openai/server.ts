import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { completionChunks, completionJson, errorBody, type ScriptedReply } from './script';

/**
 * A fake OpenAI-compatible server: a real `node:http` server speaking the Chat Completions API on
 * `/v1/chat/completions`, JSON or SSE, answering from a queue of scripted replies and recording every
 * request body. `POST /__control/replies` (a JSON array of replies) scripts it from outside the process;
 * `POST /__control/release` lets a held reply finish.
 */
export interface FakeOpenAiOptions {
  port?: number;
  host?: string;
  /** Bearer keys accepted; any non-empty key when absent. A refused key gets 401 as OpenAI answers it. */
  apiKeys?: string[];
  /** What an empty queue answers; a 500 saying "no scripted reply" when absent. */
  defaultReply?: ScriptedReply;
}

export interface RecordedCompletionRequest {
  /** The parsed JSON body as sent (messages, tools, tool_choice, stream …). */
  body: Record<string, unknown>;
  /** The raw body text, for substring assertions. */
  raw: string;
  at: number;
}

export interface FakeOpenAi {
  /** The SDK's `baseURL`: `http://127.0.0.1:PORT/v1`. */
  baseURL: string;
  port: number;
  requests: RecordedCompletionRequest[];
  /** Queues replies for the next requests, in order. */
  reply(...replies: ScriptedReply[]): void;
  /** Replies still queued. */
  pending(): number;
  /** Lets a held reply (`hold: true`) finish its stream; a release with nothing held is kept for the next. */
  release(): void;
  close(): Promise<void>;
}

export async function startFakeOpenAi(opts: FakeOpenAiOptions = {}): Promise<FakeOpenAi> {
  const queue: ScriptedReply[] = [];
  const requests: RecordedCompletionRequest[] = [];
  const keys = opts.apiKeys ? new Set(opts.apiKeys) : undefined;
  let released = 0;
  const waiting: (() => void)[] = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else released++;
  };
  const whenReleased = () =>
    new Promise<void>((resolve) => {
      if (released > 0) {
        released--;
        resolve();
      } else waiting.push(resolve);
    });

  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const raw = await readBody(req);
    if (req.method === 'POST' && url.pathname === '/__control/replies') {
      const replies = JSON.parse(raw) as ScriptedReply[];
      queue.push(...replies);
      return json(res, 200, { queued: queue.length });
    }
    if (req.method === 'POST' && url.pathname === '/__control/release') {
      release();
      return json(res, 200, { released: true });
    }
    if (req.method !== 'POST' || url.pathname !== '/v1/chat/completions') {
      return json(res, 404, errorBody(404, `Unknown request URL: ${req.method} ${url.pathname}`));
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return json(res, 400, errorBody(400, 'We could not parse the JSON body of your request.'));
    }
    requests.push({ body, raw, at: Date.now() });
    const key = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!key || (keys && !keys.has(key))) return json(res, 401, errorBody(401));

    const reply = queue.shift() ?? opts.defaultReply;
    const model = typeof body.model === 'string' ? body.model : 'fake-model';
    if (!reply) return json(res, 500, errorBody(500, 'fake-openai: no scripted reply'));
    switch (reply.kind) {
      case 'hang':
        return; // the socket stays open until the client aborts or the server closes
      case 'raw':
        res.writeHead(reply.status, { 'content-type': reply.contentType });
        res.end(reply.body);
        return;
      case 'error':
        return json(
          res,
          reply.status,
          errorBody(reply.status, reply.message, reply.type),
          reply.retryAfter !== undefined ? { 'retry-after': String(reply.retryAfter) } : {},
        );
      case 'tool':
      case 'text':
        if (body.stream !== true) return json(res, 200, completionJson(reply, model));
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        for (const chunk of completionChunks(reply, model)) {
          const held = reply.kind === 'tool' && reply.hold && isFirstToolChunk(chunk);
          if (held) await whenReleased();
          res.write(`data: ${JSON.stringify(chunk)}\n\n`);
        }
        res.end('data: [DONE]\n\n');
        return;
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      console.error('fake-openai: internal error', err);
      if (!res.headersSent) json(res, 500, errorBody(500, 'fake-openai internal error'));
      else res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    baseURL: `http://${opts.host ?? '127.0.0.1'}:${port}/v1`,
    port,
    requests,
    reply: (...replies) => void queue.push(...replies),
    pending: () => queue.length,
    release,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function isFirstToolChunk(chunk: unknown): boolean {
  const delta = (chunk as { choices: { delta: { tool_calls?: { id?: string }[] } }[] }).choices[0]?.delta;
  return delta?.tool_calls?.[0]?.id !== undefined;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (b: Buffer) => parts.push(b));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}
