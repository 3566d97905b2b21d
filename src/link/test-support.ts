/** Helpers for tests that run agents against a real relay (not exported from index.ts). */
import { expect } from 'vitest';
import type { RelayLink } from './relay-link';

/** Starts the link and waits until it is logged in and its prekeys are at the relay (others can start sessions). */
export async function startAndPublish(link: RelayLink): Promise<void> {
  link.start();
  await expect.poll(() => link.status.connected).toBe(true);
  await expect
    .poll(async () => {
      const count = await link.countPrekeys();
      return count.ok && count.oneTimePrekeys > 0;
    })
    .toBe(true);
}
