import { join } from 'node:path';
import { ensureDir, WORK } from './paths.js';
import { start, type Child } from './procs.js';

/** Options for one ffmpeg publisher. */
export interface PublisherOptions {
  clip: string;
  url: string;
  core: number;
  /** Seconds after which `timeout` ends ffmpeg whatever happens. */
  maxSeconds: number;
  logTag: string;
}

/**
 * Starts `ffmpeg -re -stream_loop -1 -i clip -c copy -f flv URL` pinned to the load core, under
 * `timeout -k 3` because a stalled ffmpeg may ignore SIGTERM (TEST-PEERS.md).
 */
export function startPublisher(o: PublisherOptions): Child {
  const logFile = join(ensureDir(join(WORK, 'logs')), `ffmpeg-${o.logTag}.log`);
  // prettier-ignore
  const args = ['-k', '3', String(o.maxSeconds), 'ffmpeg', '-hide_banner', '-nostdin', '-loglevel', 'warning',
    '-re', '-stream_loop', '-1', '-i', o.clip, '-c', 'copy', '-rw_timeout', '5000000', '-f', 'flv', o.url];
  return start(`ffmpeg ${o.logTag}`, 'timeout', args, { core: o.core, logFile });
}
