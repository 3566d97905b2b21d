/** Values `wxt.config.ts` writes into the build (`vite.define`); empty strings when not set. */
interface ImportMetaEnv {
  /** [ICS10] The Google OAuth client id a published build signs in with (`PARLEY_GOOGLE_CLIENT_ID`). */
  readonly PARLEY_GOOGLE_CLIENT_ID?: string;
  /** '1' in lab builds (`PARLEY_LAB=1`, test-only pages and hooks); empty in every published build. */
  readonly PARLEY_LAB?: string;
}
