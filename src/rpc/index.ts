export * from './contract';
export { createRpcClient, type RpcClient, type RpcTransport } from './client';
export { createRpcServer, type RpcHandlers, type RpcSender, type RpcServerOptions } from './server';
