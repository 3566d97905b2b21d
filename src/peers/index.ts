export { SecureChannel, type KeyDirectory } from './channel';
export { PeerService, type PeerServiceDeps, type PeerTransport } from './peer-service';
export { PeerMessage, encodePeerMessage, decodePeerMessage } from './peer-message';
export { encodeInvite, decodeInvite, INVITE_TTL_MS, type Invite } from './invite';
export { peersActions, type PeersActionContext } from './peers.actions';
export { createPeerLink, type PeerLinkDeps } from './peer-link';
