export type { Mailbox, MailboxLimits, PutResult } from './mailbox';
export { DEFAULT_MAILBOX_LIMITS } from './mailbox';
export { MemoryMailbox, type MemoryMailboxOptions } from './memory-mailbox';
export { RedisMailbox, type RedisMailboxOptions } from './redis-mailbox';
