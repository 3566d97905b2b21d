import { render } from 'preact';
import '@/src/ui/theme.css';
import { OptionsApp, PersonZone } from '@/src/ui';

render(
  <PersonZone>
    <OptionsApp />
  </PersonZone>,
  document.getElementById('app')!,
);
