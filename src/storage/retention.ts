import type { Logger } from '../base/index.js';
import type { RecordingCatalog } from './recording-catalog.js';

/** Options of RetentionSweeper. */
export interface RetentionOptions {
  catalog: RecordingCatalog;
  /** Recordings that ended longer ago than this are deleted; 0 keeps everything. */
  retentionDays: number;
  /** How often to sweep (ms); default one hour. */
  intervalMs?: number;
  /** Wall clock in ms (tests inject their own). */
  now?: () => number;
  logger: Logger;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Deletes recordings older than the retention period, on a timer. */
export class RetentionSweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<string[]> | undefined;
  private readonly log: Logger;

  constructor(private readonly options: RetentionOptions) {
    this.log = options.logger.child({ component: 'retention' });
  }

  start(): void {
    if (this.options.retentionDays <= 0 || this.timer !== undefined) return;
    this.timer = setInterval(() => void this.sweep().catch((err: unknown) => this.log.error({ err }, 'retention sweep failed')), this.options.intervalMs ?? 60 * 60 * 1000);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Deletes what has expired now; returns the deleted recording ids. One sweep at a time. */
  sweep(): Promise<string[]> {
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(): Promise<string[]> {
    const { retentionDays, catalog } = this.options;
    if (retentionDays <= 0) return [];
    const cutoff = (this.options.now ?? Date.now)() - retentionDays * DAY_MS;
    const deleted: string[] = [];
    for (const meta of await catalog.all()) {
      if (Date.parse(meta.endedAt) >= cutoff) continue;
      await catalog.delete(meta.id);
      deleted.push(meta.id);
      this.log.info({ recording_id: meta.id, stream_id: meta.streamId }, 'recording expired');
    }
    return deleted;
  }
}
