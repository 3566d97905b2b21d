export { RelayLink, type LinkStatus, type RelayLinkOptions, type SendOutcome } from './relay-link';
