import { render } from 'preact';
import '@/src/ui/theme.css';
import { PopupApp, primeStatusGlance } from '@/src/ui';

// The last status first (UIS1): the popup draws its content at once, then the agent's answer.
void primeStatusGlance().then(() => render(<PopupApp />, document.getElementById('app')!));
