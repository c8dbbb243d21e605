import './styles.css';
import { render } from 'preact';
import { App } from './app.js';

const root = document.getElementById('app')!;
// The page's "loading" placeholder goes once the console renders.
root.textContent = '';
render(<App />, root);
