import { render } from 'preact';
import '@/src/ui/theme.css';
import { SidePanelApp, PersonZone, setPageLanguage } from '@/src/ui';

setPageLanguage();

render(
  <PersonZone>
    <SidePanelApp />
  </PersonZone>,
  document.getElementById('app')!,
);
