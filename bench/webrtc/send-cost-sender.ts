/**
 * The sender of the send-cost comparison, run as its own process pinned to the server's core:
 *
 *   ZENLIVE_BENCH_SENDER='{"transport":"werift","clipPath":"…","maxPayloadBytes":1150}' \
 *     taskset -c 0 npx vite-node bench/webrtc/send-cost-sender.ts
 *
 * A minimal WHEP endpoint (`POST /whep/ANY`: SDP offer → 201 + answer) on 127.0.0.1, one peer per
 * viewer, and the clip paced in real time to every connected viewer, each with its own sequence
 * numbers and SSRC, as ZenLive's WHEP sessions do. `werift`: one RTCPeerConnection per viewer
 * and `sendRtp` (stock werift, what ZenLive uses). `datachannel`: one libdatachannel peer per
 * viewer and `Track.sendMessageBinary` of the whole RTP packet (SRTP and sockets native). Prints
 * `{"http_port":…}` once listening; SIGTERM stops it.
 */
import { randomInt } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import nodeDataChannel from 'node-datachannel';
import type { RTCRtpSender } from 'werift';
import { loadClip, TICKS_PER_FRAME, type ClipFrame } from './h264-clip.js';
import { startPacer } from './pacer.js';
import { H264_FMTP } from './whep-subscriber.js';
import { connectedPeer, gathered, h264Codec, loopbackPeer, sendFrame } from './whip-publisher.js';

/** Which stack sends: stock werift, or libdatachannel through node-datachannel. */
export type SendTransport = 'werift' | 'datachannel';

/** What the orchestrator passes in ZENLIVE_BENCH_SENDER. */
export interface SenderConfig {
  transport: SendTransport;
  clipPath: string;
  maxPayloadBytes: number;
}

/** One viewer's outgoing video, whatever stack carries it. */
interface Outlet {
  send(frame: ClipFrame, timestamp: number): void;
  close(): void;
  /** Calls `cb` once when the viewer's peer closes or fails. */
  onEnd(cb: () => void): void;
}

const PAYLOAD_TYPE = 102;
const log = (msg: string): boolean => process.stderr.write(`send-cost-sender: ${msg}\n`);

async function weriftOutlet(offer: string): Promise<{ answer: string; outlet: Promise<Outlet> }> {
  const pc = loopbackPeer(h264Codec());
  const sender: RTCRtpSender = pc.addTransceiver('video', { direction: 'sendonly' }).sender;
  await pc.setRemoteDescription({ type: 'offer', sdp: offer });
  await pc.setLocalDescription(await pc.createAnswer());
  await gathered(pc);
  let seq = randomInt(0, 0x10000);
  const outlet = connectedPeer(pc, 15_000).then(
    (): Outlet => ({
      send(frame, timestamp) {
        seq = sendFrame(sender, frame, timestamp, seq);
      },
      close: () => void pc.close(),
      onEnd(cb) {
        pc.connectionStateChange.subscribe((state) => {
          if (state === 'closed' || state === 'failed' || state === 'disconnected') cb();
        });
      },
    }),
  );
  return { answer: pc.localDescription?.sdp ?? '', outlet };
}

function datachannelOutlet(offer: string, id: number): Promise<{ answer: string; outlet: Promise<Outlet> }> {
  const pc = new nodeDataChannel.PeerConnection(`sender-${id}`, { iceServers: [], bindAddress: '127.0.0.1', enableIceTcp: false });
  const ssrc = randomInt(1, 0xffffffff);
  // mid "0" as the viewer offers it; the SSRC goes into the answer so the viewer can route our packets
  const video = new nodeDataChannel.Video('0', 'SendOnly');
  video.addH264Codec(PAYLOAD_TYPE, H264_FMTP);
  video.addSSRC(ssrc, `bench-${id}`, 'bench', 'video');
  const track = pc.addTrack(video);
  let seq = randomInt(0, 0x10000);
  const outlet = new Promise<Outlet>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('datachannel sender not connected within 15 s')), 15_000);
    track.onOpen(() => {
      clearTimeout(timer);
      resolve({
        send(frame, timestamp) {
          const last = frame.payloads.length - 1;
          frame.payloads.forEach((payload, i) => {
            // every viewer has its own header; libdatachannel encrypts a copy, so the bytes are ours again at once
            const packet = Buffer.allocUnsafe(12 + payload.length);
            packet[0] = 0x80;
            packet[1] = (i === last ? 0x80 : 0) | PAYLOAD_TYPE;
            packet.writeUInt16BE(seq, 2);
            packet.writeUInt32BE(timestamp >>> 0, 4);
            packet.writeUInt32BE(ssrc, 8);
            payload.copy(packet, 12);
            seq = (seq + 1) & 0xffff;
            try {
              track.sendMessageBinary(packet);
            } catch {
              // the viewer went away between frames; onClosed drops the outlet
            }
          });
        },
        close: () => {
          track.close();
          pc.close();
        },
        onEnd(cb) {
          track.onClosed(cb);
        },
      });
    });
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('ICE gathering did not complete')), 5000);
    pc.onGatheringStateChange((state) => {
      if (state !== 'complete') return;
      clearTimeout(timer);
      resolve({ answer: pc.localDescription()?.sdp ?? '', outlet });
    });
    pc.setRemoteDescription(offer, 'offer');
  });
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let s = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (s += d));
    req.once('end', () => resolve(s));
    req.once('error', reject);
  });
}

async function main(): Promise<void> {
  const cfg = JSON.parse(process.env['ZENLIVE_BENCH_SENDER'] ?? '') as SenderConfig;
  const clip = loadClip(cfg.clipPath, cfg.maxPayloadBytes);
  const outlets = new Set<Outlet>();
  let nextId = 0;
  let sent = 0;
  const pacer = startPacer(clip, (n, frame) => {
    for (const o of outlets) o.send(frame, n * TICKS_PER_FRAME);
    sent += frame.payloads.length * outlets.size;
  });
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      try {
        if (req.method === 'DELETE') return void res.writeHead(200).end();
        if (req.method !== 'POST' || !(req.url ?? '').startsWith('/whep/')) return void res.writeHead(404).end();
        const id = nextId++;
        const offer = await body(req);
        const { answer, outlet } = cfg.transport === 'werift' ? await weriftOutlet(offer) : await datachannelOutlet(offer, id);
        outlet
          .then((o) => {
            outlets.add(o);
            o.onEnd(() => outlets.delete(o));
          })
          .catch((err: unknown) => log(`viewer ${id}: ${(err as Error).message}`));
        res.writeHead(201, { 'content-type': 'application/sdp', location: `/whep/resource/${id}` }).end(answer);
      } catch (err) {
        log(`offer failed: ${(err as Error).message}`);
        res.writeHead(400).end((err as Error).message);
      }
    })();
  });
  server.listen(0, '127.0.0.1', () => {
    const addr = server.address();
    process.stdout.write(`${JSON.stringify({ http_port: typeof addr === 'object' && addr !== null ? addr.port : 0, pid: process.pid })}\n`);
  });
  // how many packets went out, for the orchestrator to check against what the viewers counted
  const report = setInterval(() => process.stdout.write(`${JSON.stringify({ event: 'sent', packets: sent, viewers: outlets.size })}\n`), 1000);
  const stop = (): void => {
    clearInterval(report);
    pacer.stop();
    for (const o of outlets) o.close();
    server.close();
    setTimeout(() => process.exit(0), 300).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  log(`failed: ${(err as Error).stack ?? String(err)}`);
  process.exit(1);
});
