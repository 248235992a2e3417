/** One variant of a stream as the master playlist lists it. */
export interface Variant {
  uri: string;
  bandwidth: number;
  averageBandwidth: number;
  codecs: string;
  width?: number;
  height?: number;
  fps?: number;
}

/** Renders a master (multivariant) playlist, best variant first (RFC 8216bis §4.4.6.2). */
export function writeMasterPlaylist(variants: readonly Variant[]): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const v of [...variants].sort((a, b) => b.bandwidth - a.bandwidth)) {
    const attrs = [`BANDWIDTH=${Math.max(1, Math.round(v.bandwidth))}`];
    if (v.averageBandwidth > 0) attrs.push(`AVERAGE-BANDWIDTH=${Math.round(v.averageBandwidth)}`);
    attrs.push(`CODECS="${v.codecs}"`);
    if (v.width !== undefined && v.height !== undefined) attrs.push(`RESOLUTION=${v.width}x${v.height}`);
    if (v.fps !== undefined && v.fps > 0) attrs.push(`FRAME-RATE=${v.fps.toFixed(3)}`);
    lines.push(`#EXT-X-STREAM-INF:${attrs.join(',')}`, v.uri);
  }
  return lines.join('\n') + '\n';
}
