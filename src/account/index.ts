export { AccountService, type AccountServiceOptions } from './account-service';
export { accountError } from './errors';
