export { MemoryPresence, RedisPresence, type PresenceRegistry } from './presence-registry';
