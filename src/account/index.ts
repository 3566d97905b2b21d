export { AccountService, type AccountServiceOptions } from './account-service';
export { accountError } from './errors';
export { accountActions, type AccountActionContext } from './account.actions';
