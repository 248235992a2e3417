/** The lifecycle of a stream: IDLE → STARTING → LIVE ⇄ PAUSED, LIVE → STOPPING → ENDED, any → FAILED. */
export type StreamState = 'IDLE' | 'STARTING' | 'LIVE' | 'PAUSED' | 'STOPPING' | 'ENDED' | 'FAILED';

const ALLOWED: Record<StreamState, readonly StreamState[]> = {
  IDLE: ['STARTING', 'STOPPING', 'FAILED'],
  // A publisher may leave before its first frame: STARTING → STOPPING.
  STARTING: ['LIVE', 'STOPPING', 'FAILED'],
  LIVE: ['PAUSED', 'STOPPING', 'FAILED'],
  PAUSED: ['LIVE', 'STOPPING', 'FAILED'],
  STOPPING: ['ENDED', 'FAILED'],
  ENDED: [],
  FAILED: [],
};

/** Whether the lifecycle allows going from `from` to `to`. */
export function canTransition(from: StreamState, to: StreamState): boolean {
  return ALLOWED[from].includes(to);
}

/** States in which the stream is over and holds no resources. */
export function isFinal(state: StreamState): boolean {
  return state === 'ENDED' || state === 'FAILED';
}
