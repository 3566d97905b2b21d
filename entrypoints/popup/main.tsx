import { render } from 'preact';
import '@/src/ui/theme.css';
import { PopupApp, PersonZone } from '@/src/ui';

render(
  <PersonZone>
    <PopupApp />
  </PersonZone>,
  document.getElementById('app')!,
);
