/**
 * The JSON wire forms of prekeys are part of the relay's wire contract, defined
 * once in `relay/protocol/prekeys.ts` (zod only) and used here as they are: the
 * relay validates uploads and bundles with exactly these schemas (PRE1–PRE3).
 * They check shape only; signatures are checked in prekey-bundle.ts.
 */
export {
  key32Schema,
  signature64Schema,
  prekeyIdSchema,
  signedPrekeyWireSchema,
  oneTimePrekeyWireSchema,
  prekeyBundleWireSchema,
  prekeyUploadWireSchema,
  type PrekeyBundleWire,
  type PrekeyUploadWire,
  type SignedPrekeyWire,
  type OneTimePrekeyWire,
} from '../../relay/protocol';
