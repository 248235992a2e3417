import { buildFlvBody } from '../../src/media/index.js';
import { RtmpClient } from '../../src/protocols/rtmp/index.js';
import type { CodedClip } from './coded-clips.js';

/** An Enhanced RTMP publisher made with our client, looping a coded clip in real time. */
export interface FramePublisher {
  client: RtmpClient;
  /** The SequenceStart body that was sent (timestamp 0). */
  configBody: Buffer;
  /** Every coded-frame body sent, by RTMP timestamp (unique: the loop keeps counting). */
  sent: Map<number, Buffer>;
  /** Coded frames sent so far. */
  readonly framesSent: number;
  /** Stops sending and closes the connection; resolves once the send loop has ended. */
  stop(): Promise<void>;
}

/**
 * Publishes `clip` to an RTMP URL: the config record as SequenceStart, then each frame at its
 * time (frame i at i / fps seconds), the clip repeating until `stop()`. Bodies are built by
 * `buildFlvBody`, i.e. the E-RTMP ExVideoTagHeader the server itself writes.
 */
export async function publishCodedClip(url: string, clip: CodedClip): Promise<FramePublisher> {
  const client = await RtmpClient.connect(url, { digest: false });
  await client.publish();
  const configBody = buildFlvBody({ kind: 'video', codec: clip.codec, dts: 0, pts: 0, keyframe: false, config: true, data: clip.config });
  client.sendMedia(9, 0, configBody);
  const sent = new Map<number, Buffer>();
  let stopped = false;
  let count = 0;
  const start = performance.now();
  const loop = (async () => {
    for (let i = 0; !stopped && !client.closed; i++) {
      const frame = clip.frames[i % clip.frames.length];
      if (frame === undefined) return;
      const dts = Math.round((i * 1000) / clip.fps);
      const wait = start + dts - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (stopped) return;
      const body = buildFlvBody({ kind: 'video', codec: clip.codec, dts, pts: dts, keyframe: frame.keyframe, config: false, data: frame.data });
      client.sendMedia(9, dts, body);
      sent.set(dts, body);
      count++;
    }
  })();
  return {
    client,
    configBody,
    sent,
    get framesSent() {
      return count;
    },
    async stop() {
      stopped = true;
      await loop;
      client.close();
    },
  };
}
