export type { Mailbox } from './mailbox';
export { MemoryMailbox } from './memory-mailbox';
