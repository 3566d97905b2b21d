import { z } from 'zod';
import { CommandSchema } from '../command';

/** Keywords OpenAI's strict mode rejects; code re-validates with `CommandSchema` anyway (AST3). */
const UNSUPPORTED = new Set(['$schema', 'minLength', 'maxLength', 'default', 'format']);

/**
 * The `submit_command` tool's parameters: the JSON schema of `CommandSchema` as zod 4 writes it, adjusted for
 * strict mode — every property required, nullables as `anyOf` with `{ type: 'null' }`, no extra properties.
 */
export function strictCommandSchema(): Record<string, unknown> {
  return strict(z.toJSONSchema(CommandSchema, { target: 'draft-7' })) as Record<string, unknown>;
}

function strict(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strict);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (UNSUPPORTED.has(key)) continue;
    out[key] = key === 'properties' ? mapValues(value as Record<string, unknown>) : strict(value);
  }
  if (out.type === 'object' && out.properties) {
    out.required = Object.keys(out.properties);
    out.additionalProperties = false;
  }
  return out;
}

const mapValues = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, strict(v)]));
