/**
 * Packets kept per track to answer NACKs: about a second of video at ~5 Mbit/s and of Opus audio
 * (powers of two). The history holds references to the payloads, which every viewer of a stream
 * shares (a frame is packetized once), so it costs a few arrays per viewer, not packet copies.
 */
export const NACK_HISTORY = { video: 512, audio: 64 } as const;

/**
 * What one outgoing track sent lately, by sequence number: the payload (shared, never copied),
 * timestamp and marker, enough to send a packet again as it was. Recording writes typed arrays
 * and one reference; nothing is allocated per packet.
 */
export class PayloadHistory {
  private readonly payloads: (Buffer | undefined)[];
  private readonly seqs: Int32Array;
  private readonly timestamps: Uint32Array;
  private readonly markers: Uint8Array;
  private readonly mask: number;

  constructor(kind: 'video' | 'audio') {
    const size = NACK_HISTORY[kind];
    this.payloads = new Array<Buffer | undefined>(size).fill(undefined);
    this.seqs = new Int32Array(size).fill(-1);
    this.timestamps = new Uint32Array(size);
    this.markers = new Uint8Array(size);
    this.mask = size - 1;
  }

  /** Remembers packet `seq`; `payload` must not change afterwards. */
  add(seq: number, payload: Buffer, timestamp: number, marker: boolean): void {
    const k = seq & this.mask;
    this.payloads[k] = payload;
    this.seqs[k] = seq;
    this.timestamps[k] = timestamp;
    this.markers[k] = marker ? 1 : 0;
  }

  /** Calls `send` for packet `seq` when it is still held; says whether it was. */
  replay(seq: number, send: (payload: Buffer, timestamp: number, marker: boolean) => void): boolean {
    const k = seq & this.mask;
    const payload = this.payloads[k];
    if (payload === undefined || this.seqs[k] !== seq) return false;
    send(payload, this.timestamps[k] as number, this.markers[k] === 1);
    return true;
  }
}
