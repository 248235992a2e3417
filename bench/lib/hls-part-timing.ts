import { EventEmitter } from 'node:events';
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { HubTap } from './hls-server.js';
import { distribution, type Distribution } from './hls-stats.js';

/** A GET on a keep-alive connection; `at` is when the whole body had arrived (performance.now() ms). */
function get(agent: Agent, url: string): Promise<{ status: number; body: string; at: number }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('latin1'), at: performance.now() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const PART_LINE = /#EXT-X-PART:[^\n]*URI="[^"]*?-(\d+)\.(\d+)\.(?:m4s|ts)"/g;
const HINT_LINE = /#EXT-X-PRELOAD-HINT:TYPE=PART,URI="([^"]*?-(\d+)\.(\d+)\.(?:m4s|ts))"/;
const SEGMENT_LINE = /#EXTINF:[^\n]*\n[^\n]*?-(\d+)\.(?:m4s|ts)/g;

interface Hint {
  uri: string;
  msn: number;
  part: number;
}

function parseHint(playlist: string): Hint | undefined {
  const m = HINT_LINE.exec(playlist);
  return m === null ? undefined : { uri: m[1] as string, msn: Number(m[2]), part: Number(m[3]) };
}

/** What part delivery costs on top of the frames themselves (all in ms). */
export interface PartDeliveryResult {
  window_s: number;
  parts_cut: number;
  parts_measured: number;
  /** Blocking playlist reload `?_HLS_msn=M&_HLS_part=P`: response complete − last frame of the part entered the hub. */
  blocking_reload_since_last_frame_ms: Distribution;
  /** Same response − the moment the part was cut (the segmenter cuts on the first frame of the next part). */
  blocking_reload_since_cut_ms: Distribution;
  /** The wait inherent in cutting before a frame: cut − last frame of the part (at most one frame interval). */
  cut_wait_ms: Distribution;
  /** The hinted part itself (EXT-X-PRELOAD-HINT, requested before it exists): body complete − cut. */
  preload_hint_part_since_cut_ms: Distribution;
  preload_hint_part_since_last_frame_ms: Distribution;
  /** Time between consecutive frames (audio or video) entering the hub: the publisher's pacing bounds cut_wait. */
  frame_arrival_gap_ms: Distribution;
  /** Which kind of frame was the last of a part (the one whose successor triggered the cut). */
  last_frame_kinds: Record<string, number>;
  /**
   * Hinted parts that were never produced (the playlist moved on without listing them): how each
   * blocked request finally ended, once it did (or `pending` when still open 7 s later).
   */
  abandoned_hints: Array<{ part: string; status: number | 'pending'; answered_after_ms: number | null }>;
}

interface Listing {
  keys: Set<string>;
  hint: Hint;
}

/**
 * LL-HLS client loops against the server in this process: one issues blocking playlist reloads for
 * the next part (RFC 8216bis §6.2.5.2), one requests each preload-hinted part before it exists
 * (§6.2.5.3), and each part's arrival is compared with the tap's record of when the part was cut.
 */
export async function measurePartDelivery(playlistUrl: string, tap: HubTap, windowMs: number): Promise<PartDeliveryResult> {
  const playlistAgent = new Agent({ keepAlive: true, maxSockets: 1 });
  // More than one socket: a hinted part that never comes holds its request open until the server gives up.
  const partAgent = new Agent({ keepAlive: true, maxSockets: 8 });
  const listedAt = new Map<string, number>();
  const partAt = new Map<string, number>();
  const first = await get(playlistAgent, playlistUrl);
  let hint = parseHint(first.body);
  if (hint === undefined) throw new Error(`no EXT-X-PRELOAD-HINT in ${playlistUrl}: is low_latency on?`);
  const startAt = performance.now();
  const endAt = startAt + windowMs;
  const listings = new EventEmitter<{ listing: [Listing]; end: [] }>();
  listings.setMaxListeners(0);

  const playlistLoop = async (): Promise<void> => {
    while (performance.now() < endAt) {
      const h = hint as Hint;
      const res = await get(playlistAgent, `${playlistUrl}?_HLS_msn=${h.msn}&_HLS_part=${h.part}`);
      if (res.status !== 200) throw new Error(`blocking reload ${h.msn}.${h.part} answered ${res.status}: ${res.body.slice(0, 200)}`);
      const keys = new Set<string>();
      for (const m of res.body.matchAll(PART_LINE)) {
        const key = `${m[1]}.${m[2]}`;
        keys.add(key);
        if (!listedAt.has(key)) listedAt.set(key, res.at);
      }
      hint = parseHint(res.body) ?? hint;
      listings.emit('listing', { keys, hint: hint as Hint });
    }
    listings.emit('end');
  };

  const abandoned: Array<{ key: string; answer: Promise<PartDeliveryResult['abandoned_hints'][number]> }> = [];
  const partLoop = async (): Promise<void> => {
    const base = playlistUrl.slice(0, playlistUrl.lastIndexOf('/') + 1);
    let done = '';
    while (performance.now() < endAt) {
      const h = hint as Hint;
      const key = `${h.msn}.${h.part}`;
      if (key === done) {
        await new Promise<void>((resolve) => {
          const wake = (): void => {
            listings.off('listing', wake);
            listings.off('end', wake);
            resolve();
          };
          listings.on('listing', wake);
          listings.on('end', wake);
        });
        continue;
      }
      done = key;
      const sentAt = performance.now();
      const response = get(partAgent, base + h.uri);
      let onListing: ((l: Listing) => void) | undefined;
      let onEnd: (() => void) | undefined;
      // The playlist moved past this hint without listing the part: it will never exist.
      const skipped = new Promise<'skipped' | 'ended'>((resolve) => {
        onListing = (l) => {
          if (!l.keys.has(key) && `${l.hint.msn}.${l.hint.part}` !== key) resolve('skipped');
        };
        onEnd = () => resolve('ended');
        listings.on('listing', onListing);
        listings.once('end', onEnd);
      });
      const outcome = await Promise.race([response, skipped]);
      listings.off('listing', onListing as (l: Listing) => void);
      listings.off('end', onEnd as () => void);
      if (outcome === 'ended') {
        // The window closed while this part was awaited: it is not counted.
        void response.catch(() => undefined);
      } else if (outcome === 'skipped') {
        abandoned.push({ key, answer: response.then((r) => ({ part: key, status: r.status, answered_after_ms: Math.round(r.at - sentAt) })) });
      } else if (outcome.status === 200) {
        partAt.set(key, outcome.at);
      }
    }
  };

  try {
    await Promise.all([playlistLoop(), partLoop()]);
  } finally {
    playlistAgent.destroy();
  }
  const abandonedHints = await Promise.all(
    abandoned.map(({ key, answer }) =>
      Promise.race([answer, new Promise<PartDeliveryResult['abandoned_hints'][number]>((r) => setTimeout(() => r({ part: key, status: 'pending', answered_after_ms: null }), 7000))]),
    ),
  );
  partAgent.destroy();

  const sinceFrame: number[] = [];
  const sinceCut: number[] = [];
  const cutWait: number[] = [];
  const hintSinceCut: number[] = [];
  const hintSinceFrame: number[] = [];
  const kinds: Record<string, number> = {};
  let cutInWindow = 0;
  for (const [key, cut] of tap.cuts) {
    // Only parts cut while a request was already waiting for them.
    if (cut.cutAt < startAt || cut.cutAt > endAt) continue;
    cutInWindow++;
    const listed = listedAt.get(key);
    if (listed === undefined) continue;
    sinceFrame.push(listed - cut.lastFrameAt);
    sinceCut.push(listed - cut.cutAt);
    cutWait.push(cut.cutAt - cut.lastFrameAt);
    kinds[cut.lastFrameKind] = (kinds[cut.lastFrameKind] ?? 0) + 1;
    const got = partAt.get(key);
    if (got !== undefined) {
      hintSinceCut.push(got - cut.cutAt);
      hintSinceFrame.push(got - cut.lastFrameAt);
    }
  }
  return {
    window_s: windowMs / 1000,
    parts_cut: cutInWindow,
    parts_measured: sinceFrame.length,
    blocking_reload_since_last_frame_ms: distribution(sinceFrame, 2),
    blocking_reload_since_cut_ms: distribution(sinceCut, 2),
    cut_wait_ms: distribution(cutWait, 2),
    frame_arrival_gap_ms: distribution(
      tap.arrivalGaps.filter((g) => g.at >= startAt && g.at <= endAt).map((g) => g.gapMs),
      2,
    ),
    preload_hint_part_since_cut_ms: distribution(hintSinceCut, 2),
    preload_hint_part_since_last_frame_ms: distribution(hintSinceFrame, 2),
    last_frame_kinds: kinds,
    abandoned_hints: abandonedHints,
  };
}

/** How late plain HLS (no parts, no blocking reload) lists a finished segment. */
export interface SegmentListingResult {
  window_s: number;
  poll_interval_ms: number;
  segments_measured: number;
  /** First poll that listed the segment − its last frame entered the hub. */
  listed_since_last_frame_ms: Distribution;
  /** First poll that listed the segment − the segmenter cut it. */
  listed_since_cut_ms: Distribution;
}

/** Polls a plain HLS playlist every `pollMs` and times when each segment first appears (with its EXTINF). */
export async function measureSegmentListing(playlistUrl: string, tap: HubTap, windowMs: number, pollMs = 20): Promise<SegmentListingResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const listedAt = new Map<number, number>();
  const endAt = performance.now() + windowMs;
  const before = new Set<number>();
  let firstPoll = true;
  try {
    while (performance.now() < endAt) {
      const res = await get(agent, playlistUrl);
      for (const m of res.body.matchAll(SEGMENT_LINE)) {
        const msn = Number(m[1]);
        if (firstPoll) before.add(msn);
        else if (!listedAt.has(msn)) listedAt.set(msn, res.at);
      }
      firstPoll = false;
      await new Promise((r) => setTimeout(r, pollMs));
    }
  } finally {
    agent.destroy();
  }
  const sinceFrame: number[] = [];
  const sinceCut: number[] = [];
  for (const [msn, at] of listedAt) {
    if (before.has(msn)) continue;
    // Plain HLS cuts each segment as a single part.
    const cut = tap.cuts.get(`${msn}.0`);
    if (cut === undefined) continue;
    sinceFrame.push(at - cut.lastFrameAt);
    sinceCut.push(at - cut.cutAt);
  }
  return {
    window_s: windowMs / 1000,
    poll_interval_ms: pollMs,
    segments_measured: sinceFrame.length,
    listed_since_last_frame_ms: distribution(sinceFrame, 1),
    listed_since_cut_ms: distribution(sinceCut, 1),
  };
}
