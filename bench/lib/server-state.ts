import type { EventEmitter } from 'node:events';

/** What a ZenLive bench server last reported about itself (its JSON state lines). */
export interface ServerState {
  /** Frames dropped for slow viewers, summed over its streams. */
  dropped: number | null;
  /** Its memory breakdown (heap, external, array buffers…), MB. */
  memory: Record<string, number> | null;
}

/** Follows a bench server's state lines; `snapshot()` freezes what it said last, `stop()` stops following. */
export function watchServerState(lines: EventEmitter<{ json: [Record<string, unknown>] }>): { snapshot(): ServerState; stop(): void } {
  const state: ServerState = { dropped: null, memory: null };
  const onState = (s: Record<string, unknown>): void => {
    const streams = s['streams'] as { dropped_frames: number }[] | undefined;
    if (streams !== undefined) state.dropped = streams.reduce((sum, x) => sum + x.dropped_frames, 0);
    state.memory = (s['memory_mb'] as Record<string, number> | undefined) ?? state.memory;
  };
  lines.on('json', onState);
  return { snapshot: () => ({ ...state }), stop: () => lines.off('json', onState) };
}
