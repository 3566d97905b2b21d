import { describe, expect, it } from 'vitest';
import { originAllowed, TokenBucket } from '.';

describe('token bucket', () => {
  it('[LIM2] allows a burst, refuses the next request, and refills with time', () => {
    let clock = 0;
    const bucket = new TokenBucket(3, 2, () => clock);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
    clock += 499;
    expect(bucket.take()).toBe(false);
    clock += 1;
    expect(bucket.take()).toBe(true);
    clock += 60_000;
    // Never more than the burst, however long it rested.
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
  });
});

describe('origin policy', () => {
  const ext = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop';
  it('[LIM4] lets in listed origins only, and no-origin clients only when configured', () => {
    expect(originAllowed({ allowMissing: false }, 'https://evil.example')).toBe(true);
    const strict = { allowed: [ext, 'moz-extension://1234'], allowMissing: false };
    expect(originAllowed(strict, ext)).toBe(true);
    expect(originAllowed(strict, 'moz-extension://1234')).toBe(true);
    expect(originAllowed(strict, 'https://evil.example')).toBe(false);
    expect(originAllowed(strict, `${ext}.evil.example`)).toBe(false);
    expect(originAllowed(strict, undefined)).toBe(false);
    expect(originAllowed({ ...strict, allowMissing: true }, undefined)).toBe(true);
  });
});

describe('token bucket and clocks', () => {
  it('[LIM2] is not drained by a clock that steps back', () => {
    let clock = 10_000;
    const bucket = new TokenBucket(2, 1, () => clock);
    clock -= 5000;
    expect([bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, false]);
  });
});
