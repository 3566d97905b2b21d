export { Fanout, agentChannel, presenceChannel, type FanoutMessage } from './fanout';
