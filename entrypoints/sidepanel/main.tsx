import { render } from 'preact';
import '@/src/ui/theme.css';
import { SidePanelApp, PersonZone } from '@/src/ui';

render(
  <PersonZone>
    <SidePanelApp />
  </PersonZone>,
  document.getElementById('app')!,
);
