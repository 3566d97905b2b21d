import { z } from 'zod';
import type { CalendarChoice, StoredTokens } from '../calendar';
import { parsePreferences, type Preferences } from '../scheduling';
import type { Vault } from '../vault';
import { StoreError } from './errors';

const tokensSchema = z.object({
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1).optional(),
  expiresAt: z.number(),
  scope: z.string(),
});
const choicesSchema = z.array(
  z.object({
    id: z.string(),
    summary: z.string(),
    primary: z.boolean(),
    selected: z.boolean(),
    // A calendar read from iCalendar (calendar rule ICS5): an imported file or a secret address.
    ics: z
      .discriminatedUnion('kind', [
        z.object({ kind: z.literal('file') }),
        z.object({ kind: z.literal('url'), url: z.string().min(1).max(2048) }),
      ])
      .optional(),
  }),
);

const TOKENS_ID = 'google-tokens';
const SCHEDULING_ID = 'scheduling';
const CALENDARS_ID = 'calendars';

export interface TokenStore {
  load(): Promise<StoredTokens | undefined>;
  save(tokens: StoredTokens): Promise<void>;
  clear(): Promise<void>;
}

/** Google's OAuth tokens (`agentConfig`), in the shape GoogleOAuth's load/save/clear take. */
export function tokenStore(vault: Vault): TokenStore {
  return {
    async load() {
      const row = await vault.get('agentConfig', TOKENS_ID);
      if (row === undefined) return undefined;
      const parsed = tokensSchema.safeParse(row['tokens']);
      if (!parsed.success)
        throw new StoreError('invalid_record', 'The stored Google tokens are not readable.');
      return parsed.data;
    },
    async save(tokens) {
      await vault.put('agentConfig', { id: TOKENS_ID, tokens: tokensSchema.parse(tokens) });
    },
    clear: () => vault.delete('agentConfig', TOKENS_ID),
  };
}

export interface PreferenceStore {
  /** The person's scheduling preferences, validated by the engine's own parser; undefined until saved. */
  scheduling(): Promise<Preferences | undefined>;
  saveScheduling(preferences: Preferences): Promise<void>;
  /** Which calendars the person chose (CalendarService's loadChoices/saveChoices). */
  calendars(): Promise<CalendarChoice[] | undefined>;
  saveCalendars(choices: CalendarChoice[]): Promise<void>;
}

/** Preferences (the `preferences` store): scheduling rules and calendar choices. */
export function preferenceStore(vault: Vault): PreferenceStore {
  return {
    async scheduling() {
      const row = await vault.get('preferences', SCHEDULING_ID);
      if (row === undefined) return undefined;
      try {
        return parsePreferences(row['preferences']);
      } catch {
        throw new StoreError('invalid_record', 'The stored scheduling preferences are not readable.');
      }
    },
    async saveScheduling(preferences) {
      await vault.put('preferences', { id: SCHEDULING_ID, preferences: parsePreferences(preferences) });
    },
    async calendars() {
      const row = await vault.get('preferences', CALENDARS_ID);
      if (row === undefined) return undefined;
      const parsed = choicesSchema.safeParse(row['choices']);
      if (!parsed.success)
        throw new StoreError('invalid_record', 'The stored calendar choices are not readable.');
      return parsed.data;
    },
    async saveCalendars(choices) {
      await vault.put('preferences', { id: CALENDARS_ID, choices: choicesSchema.parse(choices) });
    },
  };
}

const MODEL_KEY_ID = 'model-api-key';
const modelKeySchema = z.string().min(1).max(500);

export interface ModelKeyStore {
  load(): Promise<string | undefined>;
  save(apiKey: string): Promise<void>;
  clear(): Promise<void>;
}

/** The API key of the person's OpenAI-compatible endpoint (`agentConfig`, encrypted; never logged or shown). */
export function modelKeyStore(vault: Vault): ModelKeyStore {
  return {
    async load() {
      const row = await vault.get('agentConfig', MODEL_KEY_ID);
      if (row === undefined) return undefined;
      const parsed = modelKeySchema.safeParse(row['apiKey']);
      if (!parsed.success) throw new StoreError('invalid_record', 'The stored model key is not readable.');
      return parsed.data;
    },
    async save(apiKey) {
      await vault.put('agentConfig', { id: MODEL_KEY_ID, apiKey: modelKeySchema.parse(apiKey) });
    },
    clear: () => vault.delete('agentConfig', MODEL_KEY_ID),
  };
}
