import { render } from 'preact';
import '@/src/ui/theme.css';
import { PopupApp } from '@/src/ui';

render(<PopupApp />, document.getElementById('app')!);
