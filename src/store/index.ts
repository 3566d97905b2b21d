export type { AgentStore, StoreWrite } from './agent-store';
export type * from './records';
export { vaultAgentStore } from './vault-store';
export { StoreError } from './errors';
export {
  modelCacheStore,
  modelRequestLog,
  type ModelRequest,
  type ModelRequestLog,
} from './model-cache-store';
export { negotiationStore, auditStore, type AuditStore } from './negotiation-store';
export {
  modelKeyStore,
  tokenStore,
  preferenceStore,
  type ModelKeyStore,
  type TokenStore,
  type PreferenceStore,
} from './settings-store';
export { chatStore, type ChatStore } from './chat-store';
export {
  onboardingStore,
  ONBOARDING_STEPS,
  type OnboardingStep,
  type OnboardingProgress,
  type OnboardingStore,
} from './onboarding-store';
export { offerStore, MAX_OFFERS, type OfferRecord, type OfferStore } from './offer-store';
