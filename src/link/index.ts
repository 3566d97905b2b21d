export {
  DEFAULT_TOKEN_REFRESH_MARGIN_MS,
  RelayLink,
  isPermanentRefusal,
  type FirebaseTokenSource,
  type LinkStatus,
  type RelayLinkOptions,
  type SendOutcome,
} from './relay-link';
export { tokenTimes, type TokenTimes } from './firebase-token';
