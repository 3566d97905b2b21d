import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/** The README's pictures (docs/protocol/surfaces.md SHOT1–SHOT2). */
const ROOT = path.resolve(import.meta.dirname, '../..');
const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
/** Local images the README shows: `![alt](path)` and `<img src="path">`, web addresses left out. */
const images = [
  ...[...readme.matchAll(/!\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]!),
  ...[...readme.matchAll(/<img[^>]*\ssrc="([^"]+)"/g)].map((m) => m[1]!),
].filter((src) => !/^[a-z]+:/i.test(src));

const PNG_SIGNATURE = '89504e470d0a1a0a';

describe('README screenshots', () => {
  it('[SHOT1] every image the README links exists and is a small PNG', () => {
    expect(images.length).toBeGreaterThan(0);
    const problems: string[] = [];
    for (const src of images) {
      const file = path.join(ROOT, decodeURIComponent(src));
      let bytes: Buffer;
      try {
        bytes = readFileSync(file);
      } catch {
        problems.push(`${src}: missing`);
        continue;
      }
      if (bytes.subarray(0, 8).toString('hex') !== PNG_SIGNATURE) {
        problems.push(`${src}: not a PNG`);
        continue;
      }
      const width = bytes.readUInt32BE(16);
      if (bytes.length > 200 * 1024) problems.push(`${src}: ${Math.round(bytes.length / 1024)} KB`);
      if (width > 1280) problems.push(`${src}: ${width} px wide`);
    }
    expect(problems).toEqual([]);
  });

  it('[SHOT2] the screenshot script writes exactly the pictures of docs/screenshots that the README shows', () => {
    const script = readFileSync(path.join(ROOT, 'scripts/screenshots.ts'), 'utf8');
    const list = /export const SHOTS = \[([^\]]*)\]/.exec(script)?.[1] ?? '';
    const shots = [...list.matchAll(/'([a-z0-9-]+)'/g)].map((m) => `docs/screenshots/${m[1]}.png`).sort();
    expect(shots.length).toBeGreaterThan(5);
    const shown = images.filter((src) => src.startsWith('docs/screenshots/')).sort();
    expect(shown).toEqual(shots);
    const dir = path.join(ROOT, 'docs/screenshots');
    const files = readdirSync(dir)
      .filter((f) => statSync(path.join(dir, f)).isFile())
      .map((f) => `docs/screenshots/${f}`)
      .sort();
    expect(files).toEqual(shots);
  });
});
