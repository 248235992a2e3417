import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
/** The C sources of the reader, compiled together. */
export const CHAT_READER_SOURCES = ['chat-reader.c', 'chat-client.c', 'chat-events.c', 'ws-frame.c', 'latency-histogram.c'].map((f) => join(HERE, f));

/** How to build the reader; the defaults are the benchmark's. */
export interface BuildChatReaderOptions {
  /** Extra gcc flags, e.g. `['-fsanitize=address,undefined']` for tests. */
  flags?: readonly string[];
}

/**
 * Compiles the native chat reader (`gcc -O2`) into `outDir` and returns the binary's path. Done at
 * every bench start, so the binary always matches the sources; throws if gcc is missing or fails.
 */
export function buildChatReader(outDir: string, options: BuildChatReaderOptions = {}): string {
  mkdirSync(outDir, { recursive: true });
  const out = join(outDir, 'chat-reader');
  const r = spawnSync('gcc', ['-O2', '-Wall', ...(options.flags ?? []), '-o', out, ...CHAT_READER_SOURCES], { encoding: 'utf8' });
  if (r.error !== undefined) {
    const missing = (r.error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new Error(missing ? 'gcc is not installed: the chat benchmark compiles its reader (bench/chat/native) with it; apt-get install gcc' : `could not run gcc: ${r.error.message}`, { cause: r.error });
  }
  if (r.status !== 0) throw new Error(`gcc failed (exit ${String(r.status)}) building ${out}:\n${r.stderr}`);
  return out;
}
