export { MemoryPresence, RedisPresence, presenceKey, type PresenceRegistry } from './presence-registry';
