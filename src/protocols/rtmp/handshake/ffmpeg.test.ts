import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, beforeAll } from 'vitest';
import { ClientHandshake } from './client-handshake.js';
import { ServerHandshake } from './server-handshake.js';
import type { HandshakeMode } from './types.js';

// A missing peer fails these tests loudly; they never skip.
const hasFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0;
function requireFfmpeg(): void {
  if (!hasFfmpeg) throw new Error('ffmpeg is not installed; run scripts/provision.sh (the test command does)');
}

interface Seen {
  mode: HandshakeMode | undefined;
  firstBytes: Buffer;
}

// Accepts one connection, runs our handshake and resolves with the first chunk-stream bytes the client sends.
function handshakeServer(wanted: number): { server: net.Server; seen: Promise<Seen> } {
  let resolve: (seen: Seen) => void = () => {};
  let reject: (error: unknown) => void = () => {};
  const seen = new Promise<Seen>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  const server = net.createServer((socket) => {
    const handshake = new ServerHandshake();
    const after: Buffer[] = [];
    let done = false;
    socket.on('data', (bytes: Buffer) => {
      try {
        if (!done) {
          const step = handshake.push(bytes);
          for (const out of step.send) socket.write(out);
          done = step.done;
          if (!done) return;
          after.push(step.rest);
        } else {
          after.push(bytes);
        }
        const firstBytes = Buffer.concat(after);
        // The connect command fits in the first chunk (128 bytes by default), so the first bytes are enough.
        if (firstBytes.length >= wanted) {
          resolve({ mode: handshake.mode, firstBytes });
          socket.destroy();
        }
      } catch (error) {
        reject(error);
        socket.destroy();
      }
    });
    socket.on('error', () => {});
  });
  return { server, seen };
}

function expectConnectCommand(bytes: Buffer): void {
  // Basic header: fmt 0 (top two bits) on chunk stream 3, where clients send their commands.
  expect(bytes[0]).toBe(0x03);
  const connect = Buffer.concat([Buffer.from([0x02, 0x00, 0x07]), Buffer.from('connect', 'latin1')]);
  expect(bytes.subarray(0, 40).includes(connect)).toBe(true);
}

describe('ServerHandshake with a real ffmpeg', () => {
  beforeAll(requireFfmpeg);
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  async function run(ffmpegArgs: (url: string) => string[]): Promise<Seen> {
    const { server, seen } = handshakeServer(40);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    // `timeout` makes sure ffmpeg dies even if the test itself is killed.
    const child: ChildProcess = spawn('timeout', ['-k', '2', '10', 'ffmpeg', '-hide_banner', '-loglevel', 'error', ...ffmpegArgs(`rtmp://127.0.0.1:${port}/live/x`)], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = once(child, 'exit');
    cleanups.push(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      await new Promise<void>((res) => server.close(() => res()));
    });
    const failed = exited.then(() => {
      throw new Error(`ffmpeg exited before the server saw the connect command: ${stderr}`);
    });
    return Promise.race([seen, failed]);
  }

  it('ffmpeg publishing gets through the handshake and sends connect on chunk stream 3', async () => {
    const seen = await run((url) => ['-f', 'lavfi', '-i', 'testsrc', '-t', '1', '-f', 'flv', url]);
    expectConnectCommand(seen.firstBytes);
    expect(seen.mode).toBe('digest');
  });

  it('ffmpeg playing accepts our S1 digest and S2 signature, which it verifies, and sends connect', async () => {
    const seen = await run((url) => ['-i', url, '-f', 'null', '-']);
    expectConnectCommand(seen.firstBytes);
    expect(seen.mode).toBe('digest');
  });
});

// A minimal connect command (AMF0 "connect", transaction 1, { app: 'live' }) in one type-0 chunk on csid 3,
// so that ffmpeg, having accepted our C2, answers with chunks of its own.
function connectChunk(): Buffer {
  const str = (text: string) => Buffer.concat([Buffer.from([0x00, text.length]), Buffer.from(text, 'latin1')]);
  const body = Buffer.concat([
    Buffer.from([0x02]), str('connect'),
    Buffer.from([0x00, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0]),
    Buffer.from([0x03]), str('app'), Buffer.from([0x02]), str('live'), Buffer.from([0x00, 0x00, 0x09]),
  ]);
  const header = Buffer.alloc(12);
  header[0] = 0x03;
  header.writeUIntBE(body.length, 4, 3);
  header[7] = 0x14;
  return Buffer.concat([header, body]);
}

async function freePort(): Promise<number> {
  const probe = net.createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((res) => probe.close(() => res()));
  return port;
}

async function connectWithRetry(port: number, deadline: number): Promise<net.Socket> {
  for (;;) {
    const socket = net.connect(port, '127.0.0.1');
    try {
      await once(socket, 'connect');
      return socket;
    } catch (error) {
      socket.destroy();
      if (Date.now() > deadline) throw error;
      await new Promise((res) => setTimeout(res, 50));
    }
  }
}

describe('ClientHandshake with a real ffmpeg server (-listen 1)', () => {
  beforeAll(requireFfmpeg);
  for (const digest of [true, false]) {
    it(`completes with digest ${digest ? 'on' : 'off'} and ffmpeg then answers our connect`, async () => {
      const port = await freePort();
      const child = spawn('timeout', ['-k', '2', '10', 'ffmpeg', '-hide_banner', '-loglevel', 'error', '-listen', '1', '-i', `rtmp://127.0.0.1:${port}/live/x`, '-f', 'null', '-'], {
        stdio: ['ignore', 'ignore', 'ignore'],
      });
      const exited = once(child, 'exit');
      const socket = await connectWithRetry(port, Date.now() + 5000);
      try {
        const client = new ClientHandshake({ digest });
        const reply = new Promise<Buffer>((resolve, reject) => {
          let done = false;
          socket.on('error', reject);
          socket.on('close', () => reject(new Error('ffmpeg closed the connection')));
          socket.on('data', (bytes: Buffer) => {
            try {
              if (done) return resolve(bytes);
              const step = client.push(bytes);
              for (const out of step.send) socket.write(out);
              if (!step.done) return;
              done = true;
              socket.write(connectChunk());
              if (step.rest.length > 0) resolve(step.rest);
            } catch (error) {
              reject(error);
            }
          });
        });
        socket.write(client.start());
        const first = await reply;
        // ffmpeg's server uses the simple form, which our client must accept even after a digest C1.
        expect(client.mode).toBe('simple');
        // fmt 0 on chunk stream 2: the protocol control messages a server sends after connect.
        expect(first[0]).toBe(0x02);
      } finally {
        socket.destroy();
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        await exited;
      }
    });
  }
});
