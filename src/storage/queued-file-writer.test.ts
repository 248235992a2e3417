import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordingBackpressureError } from './errors.js';
import { QueuedFileWriter } from './queued-file-writer.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zenlive-writer-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('QueuedFileWriter', () => {
  it('writes every buffer in order, however they are queued (property)', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 5000 }), { maxLength: 40 }), async (chunks) => {
        const path = join(dir, `order-${n++}`);
        const w = new QueuedFileWriter({ path, maxQueuedBytes: 1 << 30 });
        chunks.forEach((c, i) => w.write(Buffer.from(c), i % 7 === 0));
        await w.close();
        expect((await readFile(path)).equals(Buffer.concat(chunks.map((c) => Buffer.from(c))))).toBe(true);
        expect(w.written).toBe(chunks.reduce((t, c) => t + c.length, 0));
      }),
      { numRuns: 30 },
    );
  });

  it('fails with RECORDING_DISK_TOO_SLOW when more than its budget waits, and drops what was queued', async () => {
    const w = new QueuedFileWriter({ path: join(dir, 'slow'), maxQueuedBytes: 10_000 });
    const failures: Error[] = [];
    w.onFail((e) => failures.push(e));
    expect(w.write(Buffer.alloc(6000))).toBe(true);
    expect(w.write(Buffer.alloc(6000))).toBe(false);
    expect(w.write(Buffer.alloc(10))).toBe(false);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toBeInstanceOf(RecordingBackpressureError);
    await expect(w.close()).rejects.toBeInstanceOf(RecordingBackpressureError);
  });

  it('reports a file it cannot open as a failure, not a crash', async () => {
    const w = new QueuedFileWriter({ path: join(dir, 'missing-folder', 'x'), maxQueuedBytes: 1000 });
    w.write(Buffer.from('x'));
    await expect(w.close()).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
