import { render } from 'preact';
import '@/src/ui/theme.css';
import '@/src/ui/palette.css';
import { PaletteApp, t } from '@/src/ui';

document.title = t('pageTitlePalette');

render(<PaletteApp />, document.getElementById('app')!);
