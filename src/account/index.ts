export { AccountService, type AccountServiceOptions } from './account-service';
export { accountError, accountErrorToRpc, ACCOUNT_ERROR_CODES } from './errors';
export { accountActions, type AccountActionContext } from './account.actions';
