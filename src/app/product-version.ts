import { readFileSync } from 'node:fs';

/** The package version, read once: `src/app` and `dist/app` both sit two levels below package.json. */
export const PRODUCT_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
