import Fuse from 'fuse.js/basic';
import { t } from './i18n';

/**
 * The command palette's search (docs/protocol/interface.md PAL2): fuzzy (fuse.js) over the actions,
 * the contacts and the meetings; whatever the words, the last row hands them to the agent as they are.
 */

export type PaletteGroup = 'action' | 'contact' | 'meeting' | 'ask';

export interface PaletteItem {
  id: string;
  group: PaletteGroup;
  /** What the row says (text only). */
  label: string;
  /** A second, quieter line: a meeting's state, an action's effect. */
  detail?: string;
  /** Other words that should find it ("calendar" finds "Sync your calendars now"). */
  keywords?: string;
}

/** How many rows at most, the agent's row included. */
export const PALETTE_ROWS = 9;

export function paletteIndex(items: readonly PaletteItem[]) {
  return new Fuse(items, {
    keys: [
      { name: 'label', weight: 3 },
      { name: 'keywords', weight: 1 },
      { name: 'detail', weight: 0.5 },
    ],
    threshold: 0.35,
    ignoreLocation: true,
    includeScore: true,
  });
}

/**
 * The rows for `query`: with no words, the actions first and then what matters now; with words, the
 * best fuzzy matches, and last the agent's row ("Ask your agent: …") so free text always has a place.
 */
export function searchPalette(
  index: ReturnType<typeof paletteIndex>,
  items: readonly PaletteItem[],
  query: string,
): PaletteItem[] {
  const words = query.trim();
  if (!words) return items.slice(0, PALETTE_ROWS);
  const found = bestMatches(index, words).slice(0, PALETTE_ROWS - 1);
  return [...found, { id: 'ask', group: 'ask', label: t('paletteAskAgent', words.slice(0, 120)) }];
}

/**
 * Every word must match (fuzzily) somewhere in a row: "tme bn" finds "Find a time with Ben". Fuse scores
 * a whole pattern as one string, so each word is searched on its own and the rows that match them all
 * are ranked by their summed scores (0 is perfect).
 */
function bestMatches(index: ReturnType<typeof paletteIndex>, words: string): PaletteItem[] {
  const tokens = words.toLowerCase().split(/\s+/).filter(Boolean).slice(0, 8);
  let scores: Map<PaletteItem, number> | undefined;
  for (const token of tokens) {
    const hits = new Map(index.search(token).map((r) => [r.item, r.score ?? 1] as const));
    scores = scores
      ? new Map(
          [...scores].filter(([item]) => hits.has(item)).map(([item, s]) => [item, s + hits.get(item)!]),
        )
      : hits;
  }
  return [...(scores ?? [])].sort((a, b) => a[1] - b[1]).map(([item]) => item);
}
