import type { PubSub, Subscription } from '../state/index.js';

/** Users who arrived or went since the last presence tick, named (capped) and counted. */
export interface PresenceChange {
  room: string;
  /** Distinct users in the room on every node. */
  count: number;
  joined: Array<{ id: string; name: string }>;
  left: Array<{ id: string; name: string }>;
  joinedCount: number;
  leftCount: number;
}

interface RoomDelta {
  joined: Map<string, string>;
  left: Map<string, string>;
}

interface NodeReport {
  node: string;
  full: boolean;
  rooms: Record<string, { count: number; joined?: Array<{ id: string; name: string }>; left?: Array<{ id: string; name: string }>; joinedCount?: number; leftCount?: number }>;
}

const MAX_NAMES = 50;
const CHANNEL = 'chat:presence';

/**
 * Presence across nodes. Each node publishes, once per tick, the joins and leaves it saw (a
 * crowd arriving becomes one event per tick, not one per user) and its user count per room;
 * every few ticks a full report keeps totals right after a node restarts or vanishes (its
 * counts expire after three heartbeats).
 */
export class PresenceTracker {
  private readonly deltas = new Map<string, RoomDelta>();
  private readonly remote = new Map<string, { at: number; rooms: Map<string, number> }>();
  private sub: Subscription | undefined;
  private timer: NodeJS.Timeout | undefined;
  private ticks = 0;

  constructor(
    private readonly options: {
      nodeId: string;
      pubsub: PubSub;
      tickMs: number;
      /** Full report every this many ticks. */
      heartbeatTicks: number;
      localCounts: () => Map<string, number>;
      /** This node's users in one room (called on every join: must be cheap). */
      localCount: (room: string) => number;
      onChange: (change: PresenceChange) => void;
      onError: (err: unknown) => void;
      now: () => number;
    },
  ) {}

  async start(): Promise<void> {
    this.sub = await this.options.pubsub.subscribe(CHANNEL, (m) => this.receive(m));
    this.timer = setInterval(() => this.tick(), this.options.tickMs);
    this.timer.unref();
  }

  async close(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.sub?.unsubscribe();
  }

  joined(room: string, id: string, name: string): void {
    const d = this.delta(room);
    // Leaving and coming back within one tick is no news.
    if (d.left.delete(id)) return;
    d.joined.set(id, name);
  }

  left(room: string, id: string, name: string): void {
    const d = this.delta(room);
    if (d.joined.delete(id)) return;
    d.left.set(id, name);
  }

  /** Distinct users in the room across nodes (this node's live count plus the others' last reports). */
  total(room: string): number {
    let n = this.options.localCount(room);
    const freshAfter = this.options.now() - 3 * this.options.heartbeatTicks * this.options.tickMs;
    for (const [node, r] of this.remote) if (node !== this.options.nodeId && r.at >= freshAfter) n += r.rooms.get(room) ?? 0;
    return n;
  }

  /** Every room with users anywhere, with totals. */
  rooms(): Map<string, number> {
    const names = new Set(this.options.localCounts().keys());
    for (const [node, r] of this.remote) if (node !== this.options.nodeId) for (const room of r.rooms.keys()) names.add(room);
    const out = new Map<string, number>();
    for (const room of names) {
      const n = this.total(room);
      if (n > 0) out.set(room, n);
    }
    return out;
  }

  /** Publishes now (tests and shutdown); otherwise the timer does. */
  tick(): void {
    this.ticks++;
    const full = this.ticks % this.options.heartbeatTicks === 0;
    const counts = this.options.localCounts();
    const report: NodeReport = { node: this.options.nodeId, full, rooms: {} };
    for (const [room, d] of this.deltas) {
      if (d.joined.size === 0 && d.left.size === 0) continue;
      const pick = (m: Map<string, string>): Array<{ id: string; name: string }> => [...m].slice(0, MAX_NAMES).map(([id, name]) => ({ id, name }));
      report.rooms[room] = { count: counts.get(room) ?? 0, joined: pick(d.joined), left: pick(d.left), joinedCount: d.joined.size, leftCount: d.left.size };
    }
    this.deltas.clear();
    if (full) for (const [room, count] of counts) report.rooms[room] ??= { count };
    if (!full && Object.keys(report.rooms).length === 0) return;
    this.options.pubsub.publish(CHANNEL, JSON.stringify(report)).catch(this.options.onError);
  }

  private delta(room: string): RoomDelta {
    let d = this.deltas.get(room);
    if (d === undefined) {
      d = { joined: new Map(), left: new Map() };
      this.deltas.set(room, d);
    }
    return d;
  }

  private receive(message: string): void {
    let report: NodeReport;
    try {
      report = JSON.parse(message) as NodeReport;
    } catch {
      return;
    }
    const entry = this.remote.get(report.node) ?? { at: 0, rooms: new Map<string, number>() };
    if (report.full) entry.rooms.clear();
    entry.at = this.options.now();
    for (const [room, r] of Object.entries(report.rooms)) {
      if (r.count > 0) entry.rooms.set(room, r.count);
      else entry.rooms.delete(room);
    }
    this.remote.set(report.node, entry);
    for (const [room, r] of Object.entries(report.rooms)) {
      if ((r.joinedCount ?? 0) === 0 && (r.leftCount ?? 0) === 0) continue;
      this.options.onChange({ room, count: this.total(room), joined: r.joined ?? [], left: r.left ?? [], joinedCount: r.joinedCount ?? 0, leftCount: r.leftCount ?? 0 });
    }
  }
}
