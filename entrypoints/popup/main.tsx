import { render } from 'preact';
import '@/src/ui/theme.css';
import { PopupApp, PersonZone, primeStatusGlance, setPageLanguage } from '@/src/ui';

setPageLanguage();

// The last status first (UIS1): the popup draws its content at once, then the agent's answer.
void primeStatusGlance().then(() =>
  render(
    <PersonZone>
      <PopupApp />
    </PersonZone>,
    document.getElementById('app')!,
  ),
);
