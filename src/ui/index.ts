export { agent, useAgentQuery } from './rpc';
export { ErrorNote, PersonZone, RelayDot, Section, formatTime } from './components';
export { PopupApp } from './popup-app';
export { LockGate } from './lock-gate';
export { SidePanelApp } from './sidepanel-app';
export { OptionsApp } from './options-app';
export { PaletteApp, PALETTE_SHORTCUT } from './palette-app';
export {
  EVENT_SELECTOR,
  LAYER_CSS,
  decodeEventId,
  renderMark,
  renderPanel,
  type PanelView,
} from './calendar-layer';
export { primeStatusGlance, statusGlance } from './status-glance';
export { t, useCatalog, type MessageKey } from './i18n';
export { setPageLanguage } from './page-language';
