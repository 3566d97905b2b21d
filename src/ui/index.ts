export { agent, useAgentQuery } from './rpc';
export { ErrorNote, PersonZone, RelayDot, Section, formatTime } from './components';
export { PopupApp } from './popup-app';
export { LockGate } from './lock-gate';
export { SidePanelApp } from './sidepanel-app';
export { OptionsApp } from './options-app';
