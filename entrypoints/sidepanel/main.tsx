import { render } from 'preact';
import '@/src/ui/theme.css';
import { SidePanelApp } from '@/src/ui';

render(<SidePanelApp />, document.getElementById('app')!);
