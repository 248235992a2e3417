// Lets a worker thread started from the TypeScript sources (tests, vite-node) import .ts files:
// registered with `node --import` by src/base/worker-script.ts. Built packages never need it.
import { register } from 'node:module';

register('./ts-worker-hooks.mjs', import.meta.url);
