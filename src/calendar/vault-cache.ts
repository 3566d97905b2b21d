import { base64urlnopad } from '@scure/base';
import type { Vault } from '../vault';
import type {
  CachedEvent,
  CalendarCache,
  ConflictDecision,
  ConflictRecord,
  LocalWrite,
  SyncState,
} from './cache';

/**
 * The calendar cache on the encrypted vault. On disk, an event shows only an
 * opaque id, an opaque calendar key, and its start, end and update times
 * (docs/protocol/vault.md); titles, attendees and descriptions are encrypted.
 * Calendar ids (often e-mail addresses) and event ids are never in clear: both
 * are replaced by SHA-256 digests scoped to Parley (unkeyed: someone who already
 * knows a calendar id can confirm it is there, but cannot read it off the disk).
 */
export function vaultCalendarCache(
  vault: Vault,
): CalendarCache & { countEvents(calendarId: string): Promise<number> } {
  // Reads of one calendar's events use the [calendarId, start] index from
  // `fromMs - longest event` so a range query decrypts only candidates.
  const spanId = (calKey: string) => `span:${calKey}`;

  async function maxSpan(calKey: string): Promise<number> {
    const record = await vault.get('syncState', spanId(calKey));
    return (record?.maxSpanMs as number | undefined) ?? 0;
  }

  async function eventsOf(calendarId: string): Promise<CachedEvent[]> {
    const calKey = await digest('cal', calendarId);
    const records = await vault.query('events', { index: 'calendarId', range: { only: calKey } });
    return records.map((r) => r.event as CachedEvent);
  }

  async function listPrefixed<T>(prefix: string, field: string): Promise<T[]> {
    const records = await vault.query('syncState', { range: { lower: prefix, upper: `${prefix}\uffff` } });
    return records.map((r) => r[field] as T);
  }

  return {
    async countEvents(calendarId) {
      return vault.count('events', { index: 'calendarId', range: { only: await digest('cal', calendarId) } });
    },
    async getSyncState(calendarId) {
      const record = await vault.get('syncState', `state:${await digest('cal', calendarId)}`);
      return record?.state as SyncState | undefined;
    },
    async putSyncState(state) {
      await vault.put('syncState', { id: `state:${await digest('cal', state.calendarId)}`, state });
    },

    async applyChanges(calendarId, upserts, removals, state) {
      const calKey = await digest('cal', calendarId);
      const upsertKeys = await Promise.all(upserts.map((e) => digest('evt', `${calendarId}\u0000${e.id}`)));
      const removalKeys = await Promise.all(removals.map((id) => digest('evt', `${calendarId}\u0000${id}`)));
      const span = Math.max(await maxSpan(calKey), ...upserts.map((e) => e.endMs - e.startMs));
      await vault.transaction(['events', 'syncState'], (tx) => {
        removalKeys.forEach((key) => tx.delete('events', key));
        upserts.forEach((event, i) =>
          tx.put('events', {
            id: upsertKeys[i]!,
            calendarId: calKey,
            start: event.startMs,
            end: event.endMs,
            updated: event.updated ? Date.parse(event.updated) : 0,
            event,
          }),
        );
        tx.put('syncState', { id: spanId(calKey), maxSpanMs: span });
        if (state) tx.put('syncState', { id: `state:${calKey}`, state });
      });
    },

    async getEvent(calendarId, eventId) {
      const record = await vault.get('events', await digest('evt', `${calendarId}\u0000${eventId}`));
      return record?.event as CachedEvent | undefined;
    },

    async listEvents(calendarId, range) {
      let events: CachedEvent[];
      if (!range) {
        events = await eventsOf(calendarId);
      } else {
        const calKey = await digest('cal', calendarId);
        const lower = range.fromMs - (await maxSpan(calKey));
        const records = await vault.query('events', {
          index: 'calendarStart',
          range: { lower: [calKey, lower], upper: [calKey, range.toMs], upperOpen: true },
        });
        events = records.map((r) => r.event as CachedEvent).filter((e) => e.endMs > range.fromMs);
      }
      return events.sort((a, b) => a.startMs - b.startMs || (a.id < b.id ? -1 : 1));
    },

    async staleEventIds(calendarId, generation) {
      return (await eventsOf(calendarId)).filter((e) => e.generation !== generation).map((e) => e.id);
    },

    async instanceIds(calendarId, recurringEventId) {
      return (await eventsOf(calendarId))
        .filter((e) => e.recurringEventId === recurringEventId)
        .map((e) => e.id);
    },

    async clearCalendar(calendarId) {
      const calKey = await digest('cal', calendarId);
      const keys = (await vault.query('events', { index: 'calendarId', range: { only: calKey } })).map(
        (r) => r.id,
      );
      await vault.transaction(['events', 'syncState'], (tx) => {
        keys.forEach((key) => tx.delete('events', key));
        tx.delete('syncState', `state:${calKey}`);
        tx.delete('syncState', spanId(calKey));
      });
    },

    async getLocalWrite(key) {
      return (await vault.get('syncState', `write:${await digest('w', key)}`))?.write as
        LocalWrite | undefined;
    },
    async putLocalWrite(write) {
      await vault.put('syncState', { id: `write:${await digest('w', write.key)}`, write });
    },
    async deleteLocalWrite(key) {
      await vault.delete('syncState', `write:${await digest('w', key)}`);
    },
    listLocalWrites: () => listPrefixed<LocalWrite>('write:', 'write'),

    async putConflict(conflict) {
      await vault.put('syncState', { id: `conflict:${await digest('c', conflict.key)}`, conflict });
    },
    async deleteConflict(key) {
      await vault.delete('syncState', `conflict:${await digest('c', key)}`);
    },
    listConflicts: () => listPrefixed<ConflictRecord>('conflict:', 'conflict'),
    async getDecision(key) {
      return (await vault.get('syncState', `decision:${await digest('d', key)}`))?.decision as
        ConflictDecision | undefined;
    },
    async putDecision(decision) {
      await vault.put('syncState', { id: `decision:${await digest('d', decision.key)}`, decision });
    },
  };
}

const encoder = new TextEncoder();
const cache = new Map<string, string>();

/** An opaque, stable key for an identifier that must not be readable on disk. */
async function digest(scope: string, value: string): Promise<string> {
  const input = `parley/calendar/${scope}\u0000${value}`;
  const known = cache.get(input);
  if (known) return known;
  const bytes = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(input)));
  const key = base64urlnopad.encode(bytes.subarray(0, 16));
  if (cache.size > 50_000) cache.clear();
  cache.set(input, key);
  return key;
}
