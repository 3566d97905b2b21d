export {
  checkToken,
  firebaseTokenVerifier,
  type FirebaseVerifierOptions,
  TokenRefused,
  type TokenVerifier,
  type VerifiedToken,
} from './token-verifier';
export { MemoryUidBindings, RedisUidBindings, type UidBindings } from './uid-bindings';
