export { LuaScript } from './lua-script';
export { connectRedis, connectRedisCluster, type RedisClient } from './connect';
