import { request } from 'node:http';

/** A parsed media playlist: the tags we assert on. */
export interface MediaPlaylist {
  text: string;
  targetDuration: number;
  mediaSequence: number;
  segments: Array<{ uri: string; duration: number }>;
  parts: Array<{ uri: string; duration: number; independent: boolean }>;
  map: string | undefined;
  preloadHint: string | undefined;
  ended: boolean;
  discontinuities: number;
}

export function parseMediaPlaylist(text: string): MediaPlaylist {
  const lines = text.split('\n');
  const out: MediaPlaylist = { text, targetDuration: 0, mediaSequence: 0, segments: [], parts: [], map: undefined, preloadHint: undefined, ended: false, discontinuities: 0 };
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i] as string;
    if (l.startsWith('#EXT-X-TARGETDURATION:')) out.targetDuration = Number(l.split(':')[1]);
    else if (l.startsWith('#EXT-X-MEDIA-SEQUENCE:')) out.mediaSequence = Number(l.split(':')[1]);
    else if (l.startsWith('#EXT-X-MAP:')) out.map ??= /URI="([^"]+)"/.exec(l)?.[1];
    else if (l.startsWith('#EXT-X-PRELOAD-HINT:')) out.preloadHint = /URI="([^"]+)"/.exec(l)?.[1];
    else if (l === '#EXT-X-ENDLIST') out.ended = true;
    else if (l === '#EXT-X-DISCONTINUITY') out.discontinuities++;
    else if (l.startsWith('#EXT-X-PART:')) {
      out.parts.push({ uri: /URI="([^"]+)"/.exec(l)?.[1] ?? '', duration: Number(/DURATION=([\d.]+)/.exec(l)?.[1]), independent: l.includes('INDEPENDENT=YES') });
    } else if (l.startsWith('#EXTINF:')) out.segments.push({ duration: Number(l.slice(8).split(',')[0]), uri: lines[++i] as string });
  }
  return out;
}

/** Fetches text and fails loudly on a non-200. */
export async function getText(url: string): Promise<string> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`GET ${url} → ${res.status}: ${await res.text()}`);
  return res.text();
}

export async function getBytes(url: string): Promise<Buffer> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`GET ${url} → ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

/** Sends a request path verbatim (no URL normalisation), as an attacker would. */
export function rawGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
