import { vaultLab } from './lab-api';

// The e2e tests and bench/vault.ts drive the page through this global.
(globalThis as { vaultLab?: typeof vaultLab }).vaultLab = vaultLab;
document.body.dataset.ready = 'true';
