export type { AckRequest, Mailbox, MailboxLimits, PutRequest, PutResult } from './mailbox';
export { DEFAULT_MAILBOX_LIMITS, fulfilled, rejected, settledValue } from './mailbox';
export { MemoryMailbox, type MemoryMailboxOptions } from './memory-mailbox';
export { RedisMailbox, type RedisMailboxOptions } from './redis-mailbox';
