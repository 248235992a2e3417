/**
 * HTTP helpers of bench/hls-serve.ts: one-off GETs (outside every measurement window) to find a
 * live playlist's segments, snapshot the bytes nginx and the bare servers will serve, and check
 * each server answers a URL with the expected status, headers and body.
 */
import { request } from 'node:http';

/** One response, whole: status, headers as sent, the size of the header block and the body. */
export interface Fetched {
  status: number;
  headers: Record<string, string>;
  /** Bytes of the status line and header block ("HTTP/1.1 200 OK\r\n...\r\n\r\n"). */
  headerBytes: number;
  body: Buffer;
}

/** GETs `url` (http://127.0.0.1 only) with a plain keep-alive-less request. */
export function get(url: string, timeoutMs = 5000): Promise<Fetched> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', agent: false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const raw = res.rawHeaders;
        const headers: Record<string, string> = {};
        let headerBytes = `HTTP/${res.httpVersion} ${res.statusCode ?? 0} ${res.statusMessage ?? ''}\r\n`.length + 2;
        for (let i = 0; i + 1 < raw.length; i += 2) {
          const name = raw[i] as string;
          const value = raw[i + 1] as string;
          headers[name.toLowerCase()] = value;
          headerBytes += name.length + 2 + value.length + 2;
        }
        resolve({ status: res.statusCode ?? 0, headers, headerBytes, body: Buffer.concat(chunks) });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** What the bench needs from a media playlist. */
export interface MediaPlaylist {
  mediaSequence: number;
  /** URIs of the complete segments, oldest first. */
  segments: string[];
  text: string;
}

/** Parses the EXTINF segment URIs and the media sequence number of a media playlist. */
export function parseMediaPlaylist(text: string): MediaPlaylist {
  const lines = text.split('\n').map((l) => l.trim());
  const seq = lines.find((l) => l.startsWith('#EXT-X-MEDIA-SEQUENCE:'));
  const segments: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!(lines[i] as string).startsWith('#EXTINF:')) continue;
    // The URI is the next line that is not a tag (EXT-X-PROGRAM-DATE-TIME etc. may come between).
    for (let j = i + 1; j < lines.length; j++) {
      const l = lines[j] as string;
      if (l === '' || l.startsWith('#')) continue;
      segments.push(l);
      i = j;
      break;
    }
  }
  return { mediaSequence: seq === undefined ? 0 : Number(seq.slice(seq.indexOf(':') + 1)), segments, text };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `url` until `ok(playlist)` holds; rejects after `timeoutMs` with what it saw last. */
export async function waitForPlaylist(url: string, ok: (p: MediaPlaylist) => boolean, what: string, timeoutMs: number): Promise<MediaPlaylist> {
  const deadline = Date.now() + timeoutMs;
  let last = 'nothing';
  for (;;) {
    try {
      const res = await get(url);
      if (res.status === 200) {
        const p = parseMediaPlaylist(res.body.toString('utf8'));
        if (ok(p)) return p;
        last = `${p.segments.length} segments, media sequence ${p.mediaSequence}`;
      } else {
        last = `HTTP ${res.status}`;
      }
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`${url}: no ${what} within ${timeoutMs} ms (last: ${last})`);
    await sleep(200);
  }
}

/**
 * Waits for a segment newer than every one listed now to complete, and returns its URI: a
 * segment leaves ZenLive's live window (6 target durations) about 12 s after it completes, so a
 * measurement on one segment URL must start on a fresh one.
 */
export async function freshSegment(playlistUrl: string, timeoutMs = 10_000): Promise<string> {
  const now = await waitForPlaylist(playlistUrl, (p) => p.segments.length > 0, 'segment', timeoutMs);
  const newest = now.segments[now.segments.length - 1] as string;
  const next = await waitForPlaylist(playlistUrl, (p) => p.segments.length > 0 && p.segments[p.segments.length - 1] !== newest, 'new segment', timeoutMs);
  return next.segments[next.segments.length - 1] as string;
}

/** Checks `got` is a 200 with `type` and, when given, exactly `body`; returns a problem or undefined. */
export function checkResponse(got: Fetched, type: string, body?: Buffer): string | undefined {
  if (got.status !== 200) return `HTTP ${got.status}`;
  if (got.headers['content-type'] !== type) return `content-type ${got.headers['content-type'] ?? '(none)'} instead of ${type}`;
  if (body !== undefined && !got.body.equals(body)) return `body of ${got.body.length} bytes differs from the expected ${body.length}`;
  if (body === undefined && got.body.length === 0) return 'empty body';
  return undefined;
}
