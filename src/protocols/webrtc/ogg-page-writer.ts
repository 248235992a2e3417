import { buildOpusHead } from '../../media/index.js';

// RFC 3533 §6: CRC-32 with polynomial 0x04c11db7, no reflection, initial value 0
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let j = 0; j < 8; j++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    table[i] = r >>> 0;
  }
  return table;
})();

function oggCrc(bytes: Buffer): number {
  let crc = 0;
  for (const b of bytes) crc = ((crc << 8) ^ (CRC_TABLE[((crc >>> 24) ^ b) & 0xff] as number)) >>> 0;
  return crc;
}

/**
 * Writes Opus packets as an Ogg Opus stream (RFC 7845), one page per packet so a reader on a pipe
 * gets each packet as soon as it is written. Packets must be shorter than 64 KiB (Opus's are).
 */
export class OggOpusWriter {
  private sequence = 0;
  private granule = 0n;
  private readonly serial = (Math.random() * 0xffffffff) >>> 0;

  /** The two header pages: OpusHead and OpusTags. */
  headers(channels: 1 | 2): Buffer {
    const tags = Buffer.alloc(16);
    tags.write('OpusTags', 0, 'latin1');
    tags.writeUInt32LE(0, 8); // vendor string length
    tags.writeUInt32LE(0, 12); // no comments
    return Buffer.concat([this.page(buildOpusHead(channels), 0x02, 0n), this.page(tags, 0, 0n)]);
  }

  /** One audio packet; `samples` (at 48 kHz) advances the granule position. */
  packet(data: Buffer, samples: number): Buffer {
    this.granule += BigInt(samples);
    return this.page(data, 0, this.granule);
  }

  private page(data: Buffer, headerType: number, granule: bigint): Buffer {
    const lacing: number[] = [];
    let left = data.length;
    while (left >= 255) {
      lacing.push(255);
      left -= 255;
    }
    lacing.push(left);
    const page = Buffer.alloc(27 + lacing.length + data.length);
    page.write('OggS', 0, 'latin1');
    page[5] = headerType;
    page.writeBigUInt64LE(granule, 6);
    page.writeUInt32LE(this.serial, 14);
    page.writeUInt32LE(this.sequence++, 18);
    page[26] = lacing.length;
    Buffer.from(lacing).copy(page, 27);
    data.copy(page, 27 + lacing.length);
    page.writeUInt32LE(oggCrc(page), 22);
    return page;
  }
}
