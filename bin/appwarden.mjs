#!/usr/bin/env -S node --min-semi-space-size=64 --max-semi-space-size=64
// The flags: a fixed 64 MB young generation, so that a page of provider records dies young instead of
// being promoted (bench/README.md). `node bin/appwarden.mjs` runs without them.
// Appwarden runs its TypeScript sources through tsx: no build step between a change and a run.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
