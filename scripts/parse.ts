/**
 * npm run parse [-- --provider builtin]: JSON Lines {"id","text","now","timeZone","contacts"} on stdin,
 * one {"id","result"} or {"id","error"} per line on stdout, in input order.
 *
 * npm run parse -- --provider openai --base-url URL --model M: through an OpenAI-compatible endpoint
 * (the key from OPENAI_API_KEY), redacted as in the extension, the built-in parser behind it.
 */
import { createInterface } from 'node:readline';
import { openAiUnderstanding, type Understanding } from '../src/assistant/index';
import { builtinUnderstanding } from '../src/assistant/parser/index';

const argv = process.argv.slice(2);
function option(flag: string): string | undefined {
  const at = argv.indexOf(flag);
  const inline = argv.find((a) => a.startsWith(`${flag}=`));
  return inline?.slice(flag.length + 1) ?? (at >= 0 ? argv[at + 1] : undefined);
}

/** Providers by name. */
const PROVIDERS: Record<string, () => Understanding | Promise<Understanding>> = {
  builtin: () => builtinUnderstanding,
  openai: () => {
    const baseURL = option('--base-url');
    const model = option('--model');
    if (!baseURL || !model) {
      console.error('parse: --provider openai needs --base-url URL and --model M (and OPENAI_API_KEY)');
      process.exit(2);
    }
    return openAiUnderstanding({
      baseURL,
      model,
      apiKey: process.env.OPENAI_API_KEY ?? '',
      fallback: builtinUnderstanding,
    });
  },
};

const name = option('--provider') ?? 'builtin';
const make = PROVIDERS[name];
if (!make) {
  console.error(`parse: unknown provider "${name}"; choose one of: ${Object.keys(PROVIDERS).join(', ')}`);
  process.exit(2);
}
const understanding = await make();

for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  if (!line.trim()) continue;
  let id: unknown = null;
  try {
    const record = JSON.parse(line) as {
      id?: unknown;
      text: string;
      now: string;
      timeZone: string;
      contacts: string[];
    };
    id = record.id ?? null;
    const result = await understanding.understand(record.text, {
      now: record.now,
      timeZone: record.timeZone,
      contacts: record.contacts ?? [],
    });
    process.stdout.write(JSON.stringify({ id, result }) + '\n');
  } catch (error) {
    process.stdout.write(
      JSON.stringify({ id, error: error instanceof Error ? error.message : String(error) }) + '\n',
    );
  }
}
