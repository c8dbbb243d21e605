#!/usr/bin/env node
// Entry point of the `wildintel` command: runs the TypeScript sources through tsx,
// so `npx wildintel …` works right after `npm install` with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
await main(process.argv);
