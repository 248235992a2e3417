import { ConfigError } from './errors.js';

type Json = Record<string, unknown>;

/** Sets `value` at a dotted path inside `target`, creating objects on the way. */
export function setPath(target: Json, path: readonly string[], value: unknown, source: string): void {
  let node: Json = target;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i] as string;
    const next = node[key];
    if (next === undefined) {
      const created: Json = {};
      node[key] = created;
      node = created;
    } else if (next !== null && typeof next === 'object' && !Array.isArray(next)) {
      node = next as Json;
    } else {
      throw new ConfigError([`${path.slice(0, i + 1).join('.')}: ${source} sets a key inside a value that is not an object`]);
    }
  }
  node[path[path.length - 1] as string] = value;
}

/** Reads an env var's text as JSON when it is JSON (numbers, booleans, arrays), else as a string. */
function envValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Variables that configure how ZenLive starts rather than set a config key. */
const RESERVED = new Set(['ZENLIVE_CONFIG']);

/**
 * Overlays `ZENLIVE_SECTION__KEY=value` variables onto a config object: `__` separates levels
 * and the rest is lower-cased, so `ZENLIVE_STREAMING__RTMP__PORT=1936` sets streaming.rtmp.port.
 */
export function overlayEnv(target: Json, env: NodeJS.ProcessEnv): void {
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith('ZENLIVE_') || RESERVED.has(name) || raw === undefined) continue;
    const path = name.slice('ZENLIVE_'.length).toLowerCase().split('__');
    if (path.some((p) => p === '')) throw new ConfigError([`${name}: malformed variable name`]);
    setPath(target, path, envValue(raw), `environment variable ${name}`);
  }
}
