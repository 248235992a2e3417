import WebSocket from 'ws';
import { FlvDemuxer, type FlvTag } from '../../src/media/index.js';
import { RtmpClient, type RtmpMessage } from '../../src/protocols/rtmp/index.js';

/** Collects the bytes a WS-FLV viewer receives for `ms` milliseconds. */
export async function recordWsFlv(url: string, ms: number): Promise<Buffer> {
  const ws = new WebSocket(url);
  const parts: Buffer[] = [];
  ws.on('message', (data: Buffer) => parts.push(data));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  await new Promise((r) => setTimeout(r, ms));
  ws.close();
  return Buffer.concat(parts);
}

/** Reads the tags of an FLV byte string. */
export function flvTags(bytes: Buffer): FlvTag[] {
  const demuxer = new FlvDemuxer();
  return demuxer.push(bytes);
}

/** An RTMP player made with our client that records every media message it receives, with arrival time. */
export interface RecordingPlayer {
  client: RtmpClient;
  messages: Array<RtmpMessage & { receivedAt: number }>;
  closed: Promise<Error | undefined>;
}

export async function startRtmpPlayer(url: string): Promise<RecordingPlayer> {
  const client = await RtmpClient.connect(url, { digest: false });
  const messages: RecordingPlayer['messages'] = [];
  client.onMediaMessage = (m) => messages.push({ ...m, receivedAt: Date.now() });
  const closed = new Promise<Error | undefined>((resolve) => client.once('close', (err) => resolve(err)));
  await client.play();
  return { client, messages, closed };
}

/** FLV video body: frame type 1 = keyframe; AVCPacketType 0 = sequence header. */
export function isVideoKeyframe(body: Buffer): boolean {
  return (body[0] as number) >> 4 === 1;
}

export function isAvcSequenceHeader(body: Buffer): boolean {
  return ((body[0] as number) & 0x0f) === 7 && body[1] === 0;
}
