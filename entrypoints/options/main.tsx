import { render } from 'preact';
import '@/src/ui/theme.css';
import { OptionsApp } from '@/src/ui';

render(<OptionsApp />, document.getElementById('app')!);
