export * from './contract';
export * from './action';
export { createRpcClient, type RpcClient, type RpcTransport } from './client';
export { createRpcServer, type RpcDispatch, type RpcSender, type RpcServerOptions } from './server';
export * from './calendar-layer';
