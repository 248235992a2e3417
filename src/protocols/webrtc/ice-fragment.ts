import { WebRtcRequestError } from './errors.js';

/** What a trickle-ice-sdpfrag (RFC 8840) PATCH body carries. */
export interface IceFragment {
  ufrag: string | undefined;
  pwd: string | undefined;
  /** Candidates with the mid of the m-line they follow (the first mid when before any). */
  candidates: { candidate: string; mid: string | undefined }[];
  endOfCandidates: boolean;
}

/** Reads an SDP fragment; anything but `a=`/`m=` lines is refused as a bad request. */
export function parseIceFragment(text: string): IceFragment {
  const fragment: IceFragment = { ufrag: undefined, pwd: undefined, candidates: [], endOfCandidates: false };
  let mid: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('m=')) continue;
    if (!line.startsWith('a=')) throw new WebRtcRequestError('WEBRTC_BAD_REQUEST', `not a trickle-ice-sdpfrag line: ${line.slice(0, 60)}`);
    const attr = line.slice(2);
    if (attr.startsWith('ice-ufrag:')) fragment.ufrag = attr.slice(10);
    else if (attr.startsWith('ice-pwd:')) fragment.pwd = attr.slice(8);
    else if (attr.startsWith('mid:')) mid = attr.slice(4);
    else if (attr.startsWith('candidate:')) fragment.candidates.push({ candidate: attr, mid });
    else if (attr === 'end-of-candidates') fragment.endOfCandidates = true;
  }
  return fragment;
}

/** Our side of an ICE restart as a fragment: new credentials and every local candidate. */
export function buildIceFragment(sdp: string): string {
  const lines = sdp.split(/\r?\n/);
  const pick = (prefix: string): string | undefined => lines.find((l) => l.startsWith(prefix));
  const out = [pick('a=ice-ufrag:'), pick('a=ice-pwd:')].filter((l): l is string => l !== undefined);
  const firstMedia = lines.findIndex((l) => l.startsWith('m='));
  const mid = lines.slice(firstMedia).find((l) => l.startsWith('a=mid:'));
  if (firstMedia >= 0) out.push(lines[firstMedia] as string);
  if (mid !== undefined) out.push(mid);
  // bundled: the first m-section's candidates serve every section
  const end = lines.findIndex((l, i) => i > firstMedia && l.startsWith('m='));
  for (const l of lines.slice(firstMedia, end < 0 ? undefined : end)) if (l.startsWith('a=candidate:')) out.push(l);
  out.push('a=end-of-candidates');
  return out.join('\r\n') + '\r\n';
}

/** Replaces the ICE credentials of an SDP (every section), for replaying an offer with restarted ICE. */
export function withIceCredentials(sdp: string, ufrag: string, pwd: string): string {
  return sdp.replace(/^a=ice-ufrag:.*$/gm, `a=ice-ufrag:${ufrag}`).replace(/^a=ice-pwd:.*$/gm, `a=ice-pwd:${pwd}`).replace(/^a=candidate:.*\r?\n/gm, '');
}
