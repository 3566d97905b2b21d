import { render } from 'preact';
import '@/src/ui/theme.css';
import '@/src/ui/palette.css';
import { PaletteApp } from '@/src/ui';

render(<PaletteApp />, document.getElementById('app')!);
