import { CLIP_FPS, type ClipFrame } from './h264-clip.js';

/** Calls `onFrame` for frame 0, 1, 2… of a looping clip at its real-time rate. */
export interface Pacer {
  /** Frames handed out so far (the next frame's number). */
  readonly frames: number;
  stop(): void;
}

/**
 * Real-time pacing of a looping clip: frame `n` (clip frame n mod length) is due at
 * start + n / fps. A late timer sends what is due at once rather than drifting, as an encoder
 * that fell behind would; RTP timestamps stay on the frame grid either way.
 */
export function startPacer(clip: readonly ClipFrame[], onFrame: (n: number, frame: ClipFrame) => void): Pacer {
  const start = performance.now();
  const periodMs = 1000 / CLIP_FPS;
  let next = 0;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const tick = (): void => {
    timer = undefined;
    const due = Math.floor((performance.now() - start) / periodMs);
    while (!stopped && next <= due) {
      onFrame(next, clip[next % clip.length] as ClipFrame);
      next++;
    }
    if (!stopped) timer = setTimeout(tick, Math.max(0, start + next * periodMs - performance.now()));
  };
  tick();
  return {
    get frames() {
      return next;
    },
    stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}
