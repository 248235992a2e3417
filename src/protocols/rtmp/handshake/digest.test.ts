import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClientHandshake } from './client-handshake.js';
import {
  digestOffset,
  DIGEST_SIZE,
  findDigest,
  PLAYER_KEY_PUBLIC,
  SERVER_KEY,
  SERVER_KEY_PUBLIC,
  verifyResponse,
  writeDigest,
} from './digest.js';
import { HandshakeError } from './errors.js';
import { ServerHandshake } from './server-handshake.js';

function flip(packet: Buffer, at: number): void {
  packet.writeUInt8(packet.readUInt8(at) ^ 0x01, at);
}

function clientC1(scheme: 0 | 1): Buffer {
  return new ClientHandshake({ scheme }).start().subarray(1);
}

function serverReply(c1: Buffer): { server: ServerHandshake; s1: Buffer; s2: Buffer } {
  const server = new ServerHandshake();
  const reply = server.push(Buffer.concat([Buffer.from([3]), c1])).send[0] ?? Buffer.alloc(0);
  return { server, s1: reply.subarray(1, 1537), s2: reply.subarray(1537) };
}

describe('digest handshake', () => {
  it('keys are the Adobe strings plus the shared 32-byte tail', () => {
    expect(PLAYER_KEY_PUBLIC.toString('latin1')).toBe('Genuine Adobe Flash Player 001');
    expect(SERVER_KEY_PUBLIC.toString('latin1')).toBe('Genuine Adobe Flash Media Server 001');
    expect(SERVER_KEY.length).toBe(68);
  });

  it('places digests inside their scheme half for any offset bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1536, maxLength: 1536 }), (bytes) => {
        const packet = Buffer.from(bytes);
        const zero = digestOffset(packet, 0);
        const one = digestOffset(packet, 1);
        expect(zero).toBeGreaterThanOrEqual(12);
        expect(zero + DIGEST_SIZE).toBeLessThanOrEqual(772);
        expect(one).toBeGreaterThanOrEqual(776);
        expect(one + DIGEST_SIZE).toBeLessThanOrEqual(1536);
      }),
    );
  });

  for (const scheme of [0, 1] as const) {
    it(`validates a client C1 signed in scheme ${scheme} and answers in the same scheme`, () => {
      const c1 = clientC1(scheme);
      expect(findDigest(c1, PLAYER_KEY_PUBLIC)?.scheme).toBe(scheme);
      const { server, s1, s2 } = serverReply(c1);
      expect(server.mode).toBe('digest');
      expect(s1.readUInt32BE(4)).not.toBe(0);
      const serverDigest = findDigest(s1, SERVER_KEY_PUBLIC);
      expect(serverDigest?.scheme).toBe(scheme);
      const clientDigest = findDigest(c1, PLAYER_KEY_PUBLIC)?.digest ?? Buffer.alloc(0);
      expect(verifyResponse(s2, clientDigest, SERVER_KEY)).toBe(true);
    });

    it(`falls back to simple when a byte of the scheme ${scheme} digest is tampered with, and still completes`, () => {
      const client = new ClientHandshake({ scheme });
      const c0c1 = client.start();
      flip(c0c1, 1 + digestOffset(c0c1.subarray(1), scheme) + 5);
      const server = new ServerHandshake();
      const reply = server.push(c0c1);
      expect(server.mode).toBe('simple');
      // The simple S2 echoes C1, tampered byte included.
      expect(reply.send[0]?.subarray(1537 + 8)).toEqual(c0c1.subarray(9));
      const answer = client.push(reply.send[0] ?? Buffer.alloc(0));
      expect(client.mode).toBe('simple');
      expect(answer.done).toBe(true);
      expect(server.push(answer.send[0] ?? Buffer.alloc(0)).done).toBe(true);
    });
  }

  it('treats a C1 with a version but no digest as simple', () => {
    const c1 = Buffer.alloc(1536, 7);
    c1.writeUInt32BE(0x80000702, 4);
    expect(serverReply(c1).server.mode).toBe('simple');
  });

  it('signing is stable: a packet signed in place validates and the digest is where the offset says', () => {
    const packet = Buffer.alloc(1536, 0x5a);
    const digest = writeDigest(packet, 1, PLAYER_KEY_PUBLIC);
    const at = digestOffset(packet, 1);
    expect(packet.subarray(at, at + DIGEST_SIZE)).toEqual(digest);
    expect(findDigest(packet, PLAYER_KEY_PUBLIC)).toEqual({ scheme: 1, digest });
    expect(findDigest(packet, SERVER_KEY_PUBLIC)).toBeUndefined();
  });

  it('client rejects a digest-form S1 whose digest does not validate', () => {
    const client = new ClientHandshake();
    const c0c1 = client.start();
    const reply = Buffer.from(new ServerHandshake().push(c0c1).send[0] ?? Buffer.alloc(0));
    const s1 = reply.subarray(1, 1537);
    const at = findDigest(s1, SERVER_KEY_PUBLIC);
    expect(at).toBeDefined();
    flip(s1, digestOffset(s1, at?.scheme ?? 0));
    expect(() => client.push(reply)).toThrow(HandshakeError);
    expect(() => client.push(Buffer.alloc(0))).toThrow(/no valid FMS digest/);
  });
});
