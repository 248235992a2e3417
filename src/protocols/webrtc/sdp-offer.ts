import { WebRtcRequestError } from './errors.js';

/** One codec of an offered m-section: its rtpmap and fmtp. */
export interface OfferedCodec {
  payloadType: number;
  /** Lower-case encoding name, e.g. `h264`, `opus`, `rtx`. */
  name: string;
  clockRate: number;
  channels?: number;
  fmtp: Record<string, string>;
}

/** One m-section of an SDP offer, as far as codec choice needs it. */
export interface OfferedMedia {
  kind: string;
  mid: string | undefined;
  direction: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';
  codecs: OfferedCodec[];
  /** RTP header extensions (RFC 8285): the id each URI got. */
  extensions: { id: number; uri: string }[];
}

const DIRECTIONS = new Set(['sendrecv', 'sendonly', 'recvonly', 'inactive']);
const MAX_SDP_BYTES = 64 * 1024;

/** Reads the m-sections of an offer; refuses with WEBRTC_BAD_SDP what is not an SDP offer with media. */
export function parseSdpOffer(sdp: string): OfferedMedia[] {
  if (sdp.length > MAX_SDP_BYTES) throw new WebRtcRequestError('WEBRTC_BAD_SDP', `SDP of ${sdp.length} bytes is too large`);
  const lines = sdp.split(/\r?\n/).filter((l) => l.length > 0);
  if (lines[0] !== 'v=0') throw new WebRtcRequestError('WEBRTC_BAD_SDP', 'not an SDP session description: it must start with v=0');
  const media: OfferedMedia[] = [];
  let current: OfferedMedia | undefined;
  for (const line of lines) {
    if (!/^[a-z]=/.test(line)) throw new WebRtcRequestError('WEBRTC_BAD_SDP', `malformed SDP line: ${line.slice(0, 60)}`);
    if (line.startsWith('m=')) {
      const [kind, , , ...formats] = line.slice(2).split(' ');
      if (formats.some((f) => !/^\d+$/.test(f)) && kind !== 'application') throw new WebRtcRequestError('WEBRTC_BAD_SDP', `malformed m-line formats: ${line.slice(0, 60)}`);
      if (kind === undefined || formats.length === 0) throw new WebRtcRequestError('WEBRTC_BAD_SDP', `malformed m-line: ${line.slice(0, 60)}`);
      current = { kind, mid: undefined, direction: 'sendrecv', codecs: [], extensions: [] };
      media.push(current);
      continue;
    }
    if (current === undefined || !line.startsWith('a=')) continue;
    const attr = line.slice(2);
    if (DIRECTIONS.has(attr)) current.direction = attr as OfferedMedia['direction'];
    else if (attr.startsWith('mid:')) current.mid = attr.slice(4);
    else if (attr.startsWith('rtpmap:')) {
      const m = /^rtpmap:(\d+) ([^/]+)\/(\d+)(?:\/(\d+))?$/.exec(attr);
      if (m === null) throw new WebRtcRequestError('WEBRTC_BAD_SDP', `malformed rtpmap: ${line.slice(0, 60)}`);
      current.codecs.push({ payloadType: Number(m[1]), name: (m[2] as string).toLowerCase(), clockRate: Number(m[3]), ...(m[4] !== undefined ? { channels: Number(m[4]) } : {}), fmtp: {} });
    } else if (attr.startsWith('extmap:')) {
      const m = /^extmap:(\d+)(?:\/\w+)? (\S+)/.exec(attr);
      if (m !== null) current.extensions.push({ id: Number(m[1]), uri: m[2] as string });
    } else if (attr.startsWith('fmtp:')) {
      const m = /^fmtp:(\d+) (.*)$/.exec(attr);
      const codec = m !== null ? current.codecs.find((c) => c.payloadType === Number(m[1])) : undefined;
      if (codec !== undefined && m !== null) codec.fmtp = parseFmtp(m[2] as string);
    }
  }
  if (media.length === 0) throw new WebRtcRequestError('WEBRTC_BAD_SDP', 'the offer has no media sections');
  if (!lines.some((l) => l.startsWith('a=fingerprint:'))) throw new WebRtcRequestError('WEBRTC_BAD_SDP', 'the offer has no DTLS fingerprint');
  return media;
}

function parseFmtp(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(';')) {
    const [k, v] = part.trim().split('=');
    if (k !== undefined && k !== '') out[k.toLowerCase()] = v ?? '';
  }
  return out;
}

/**
 * Keeps only the chosen payload types (per mid) in an offer, so the answer lists exactly the codec
 * we will send or receive: werift answers every offered codec whose MIME type it knows, in the
 * offer's order, and the peer would pick the first. Sections without a choice are left as they are.
 */
export function restrictOffer(sdp: string, keep: ReadonlyMap<string, ReadonlySet<number>>): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const out: string[] = [];
  let allowed: ReadonlySet<number> | undefined;
  const sections = splitSections(sdp);
  for (const section of sections) {
    const mid = section.find((l) => l.startsWith('a=mid:'))?.slice(6);
    allowed = section[0]?.startsWith('m=') && mid !== undefined ? keep.get(mid) : undefined;
    for (const line of section) {
      if (allowed === undefined) {
        out.push(line);
        continue;
      }
      if (line.startsWith('m=')) {
        const parts = line.split(' ');
        out.push([...parts.slice(0, 3), ...parts.slice(3).filter((pt) => allowed?.has(Number(pt)))].join(' '));
        continue;
      }
      const pt = /^a=(?:rtpmap|fmtp|rtcp-fb):(\d+)/.exec(line);
      if (pt !== null && !allowed.has(Number(pt[1]))) continue;
      out.push(line);
    }
  }
  return out.join(eol) + eol;
}

function splitSections(sdp: string): string[][] {
  const sections: string[][] = [[]];
  for (const line of sdp.split(/\r?\n/)) {
    if (line === '') continue;
    if (line.startsWith('m=')) sections.push([]);
    (sections[sections.length - 1] as string[]).push(line);
  }
  return sections;
}
