import { readFile } from 'node:fs/promises';
import { ConfigError } from './errors.js';
import { overlayEnv, setPath } from './overlay.js';
import { parseConfig } from './parse.js';
import type { ZenLiveConfig } from './schema.js';

/** Where a configuration comes from, lowest precedence first: file, then env, then flags. */
export interface ConfigSources {
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Dotted path → value, e.g. `{'streaming.rtmp.port': 1936}` from CLI flags. */
  overrides?: Readonly<Record<string, unknown>>;
}

async function readJsonFile(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError([`${file}: cannot read config file (${(err as Error).message})`], { cause: err });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ConfigError([`${file}: not valid JSON (${(err as Error).message})`], { cause: err });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError([`${file}: the top level must be a JSON object`]);
  }
  return value as Record<string, unknown>;
}

/** Loads file → env → overrides, validates once and returns the frozen result. */
export async function loadConfig(sources: ConfigSources): Promise<ZenLiveConfig> {
  const raw = sources.file !== undefined ? await readJsonFile(sources.file) : {};
  if (sources.env !== undefined) overlayEnv(raw, sources.env);
  for (const [path, value] of Object.entries(sources.overrides ?? {})) {
    if (value !== undefined) setPath(raw, path.split('.'), value, 'command-line flag');
  }
  return parseConfig(raw);
}
