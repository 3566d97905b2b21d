/**
 * npm run parse [-- --provider builtin]: JSON Lines {"id","text","now","timeZone","contacts"} on stdin,
 * one {"id","result"} or {"id","error"} per line on stdout, in input order.
 */
import { createInterface } from 'node:readline';
import type { Understanding } from '../src/assistant/index';
import { builtinUnderstanding } from '../src/assistant/parser/index';

/** Providers by name; other engineers add theirs here (`openai`). */
const PROVIDERS: Record<string, () => Understanding | Promise<Understanding>> = {
  builtin: () => builtinUnderstanding,
};

function providerName(argv: readonly string[]): string {
  const at = argv.indexOf('--provider');
  const inline = argv.find((a) => a.startsWith('--provider='));
  return inline?.slice('--provider='.length) ?? (at >= 0 ? argv[at + 1] : undefined) ?? 'builtin';
}

const name = providerName(process.argv.slice(2));
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
