import { render } from 'preact';
import '@/src/ui/theme.css';
import { OptionsApp, PersonZone, t } from '@/src/ui';

document.title = t('pageTitleSettings');

render(
  <PersonZone>
    <OptionsApp />
  </PersonZone>,
  document.getElementById('app')!,
);
