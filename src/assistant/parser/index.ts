export { builtinUnderstanding, parseCommand } from './parse';
