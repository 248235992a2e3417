/**
 * Ids that sort by creation time and never collide across nodes: 9 base-36 digits of
 * milliseconds, 4 of a per-millisecond counter, then the node id. Lexicographic order is time
 * order on one node; across nodes it is time order to the millisecond.
 */
export class MessageIdGenerator {
  private lastMs = 0;
  private counter = 0;

  constructor(
    private readonly nodeId: string,
    private readonly now: () => number = Date.now,
  ) {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(nodeId)) throw new RangeError(`node id must be 1-64 of [A-Za-z0-9_-], got ${JSON.stringify(nodeId)}`);
  }

  next(): string {
    let ms = this.now();
    // A clock stepping back must not produce ids that sort before earlier ones.
    if (ms <= this.lastMs) {
      ms = this.lastMs;
      this.counter++;
      if (this.counter >= 36 ** 4) {
        ms = this.lastMs + 1;
        this.counter = 0;
      }
    } else {
      this.counter = 0;
    }
    this.lastMs = ms;
    return `${ms.toString(36).padStart(9, '0')}${this.counter.toString(36).padStart(4, '0')}-${this.nodeId}`;
  }
}

/** The creation time encoded in an id, or undefined for a string that is not one. */
export function messageIdTime(id: string): number | undefined {
  if (!/^[0-9a-z]{13}-/.test(id)) return undefined;
  return parseInt(id.slice(0, 9), 36);
}
