import { open, truncate } from 'node:fs/promises';

/** What trimFlv found in a recorded FLV file. */
export interface FlvFileInfo {
  bytes: number;
  /** Timestamp of the last complete tag, ms: the file's duration, as parts start at 0. */
  lastTimestampMs: number;
  droppedBytes: number;
}

/**
 * Cuts an FLV file after its last complete tag (a crash can leave half a tag) and reports its
 * length and last timestamp. Reads only the 11-byte tag headers.
 */
export async function trimFlv(path: string): Promise<FlvFileInfo> {
  const handle = await open(path, 'r');
  let pos = 13;
  let last = 0;
  let size = 0;
  try {
    size = (await handle.stat()).size;
    const head = Buffer.alloc(11);
    while (pos + 11 <= size) {
      const { bytesRead } = await handle.read(head, 0, 11, pos);
      if (bytesRead < 11) break;
      const bodySize = head.readUIntBE(1, 3);
      const end = pos + 11 + bodySize + 4;
      if (end > size) break;
      // FLV §E.4.1: 24-bit timestamp plus the extension byte as the upper 8 bits
      last = head.readUIntBE(4, 3) + (head[7] ?? 0) * 0x1000000;
      pos = end;
    }
  } finally {
    await handle.close();
  }
  const keep = Math.min(pos, size);
  if (keep < size) await truncate(path, keep);
  return { bytes: keep, lastTimestampMs: last, droppedBytes: size - keep };
}
