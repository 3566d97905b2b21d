export { LuaScript } from './lua-script';
export { connectRedis } from './connect';
