import { createSocket, type Socket } from 'node:dgram';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RtpPacket, SrtpSession } from 'werift';
import { loadNativeSrtp, SrtpProfile, type SrtpProfileId } from './native-srtp.js';
import { socketFd } from './socket-fd.js';

/** werift's contexts on both ends of one direction: ours encrypts natively with its session keys, the other decrypts. */
function sessions(profile: SrtpProfileId, seed: number): { keys: { key: Buffer; salt: Buffer; auth: Buffer }; receiver: SrtpSession } {
  const saltLength = profile === SrtpProfile.AeadAes128Gcm ? 12 : 14;
  const masterKey = Buffer.alloc(16, seed);
  const masterSalt = Buffer.alloc(saltLength, seed + 1);
  const other = { key: Buffer.alloc(16, seed + 2), salt: Buffer.alloc(saltLength, seed + 3) };
  const sender = new SrtpSession({ profile, keys: { localMasterKey: masterKey, localMasterSalt: masterSalt, remoteMasterKey: other.key, remoteMasterSalt: other.salt } });
  const receiver = new SrtpSession({ profile, keys: { localMasterKey: other.key, localMasterSalt: other.salt, remoteMasterKey: masterKey, remoteMasterSalt: masterSalt } });
  const ctx = Reflect.get(sender, 'localContext') as { srtpSessionKey: Buffer; srtpSessionSalt: Buffer; srtpSessionAuthTag: Buffer };
  return { keys: { key: ctx.srtpSessionKey, salt: ctx.srtpSessionSalt, auth: ctx.srtpSessionAuthTag }, receiver };
}

describe('native SRTP sender', () => {
  const srtp = loadNativeSrtp();
  let tx: Socket;
  let rx: Socket;
  let inbox: Buffer[] = [];

  beforeAll(async () => {
    tx = createSocket('udp4');
    rx = createSocket('udp4');
    await new Promise<void>((r) => tx.bind(0, '127.0.0.1', r));
    await new Promise<void>((r) => rx.bind(0, '127.0.0.1', r));
    rx.on('message', (m) => inbox.push(m));
  });

  afterAll(() => {
    tx.close();
    rx.close();
  });

  const received = async (n: number): Promise<Buffer[]> => {
    for (let i = 0; i < 100 && inbox.length < n; i++) await new Promise((r) => setTimeout(r, 5));
    const out = inbox;
    inbox = [];
    return out;
  };

  it.each([
    ['AES_CM_128_HMAC_SHA1_80', SrtpProfile.AesCm128HmacSha1_80],
    ['AEAD_AES_128_GCM', SrtpProfile.AeadAes128Gcm],
  ] as const)('%s: what it sends, werift decrypts to the same RTP packets, across sequence wraps (property)', async (_name, profile) => {
    const fd = socketFd(tx);
    expect(fd).toBeGreaterThanOrEqual(0);
    let seed = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.uint8Array({ minLength: 0, maxLength: 1200 }), { minLength: 1, maxLength: 80 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 0xff00, max: 0xffff }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 1, max: 0xffffffff }),
        async (frames, firstSeq, timestamp, ssrc) => {
          const { keys, receiver } = sessions(profile, seed++ % 200);
          const track = srtp.create(profile, keys.key, keys.salt, keys.auth, fd as number, '127.0.0.1', rx.address().port, ssrc, 96);
          let seq = firstSeq;
          const expected: { seq: number; payload: Buffer; marker: boolean; ts: number }[] = [];
          for (const [f, frame] of frames.entries()) {
            const payloads = frame.map((p) => Buffer.from(p));
            const ts = (timestamp + f * 3000) >>> 0;
            expect(srtp.sendMany(track, payloads, seq & 0xffff, ts, true)).toBe(payloads.length);
            payloads.forEach((payload, i) => expected.push({ seq: (seq + i) & 0xffff, payload, marker: i === payloads.length - 1, ts }));
            seq += payloads.length;
          }
          const got = (await received(expected.length)).map((b) => RtpPacket.deSerialize(receiver.decrypt(b)));
          expect(got.map((p) => [p.header.sequenceNumber, p.header.marker, p.header.timestamp, p.header.ssrc, p.header.payloadType])).toEqual(expected.map((e) => [e.seq, e.marker, e.ts, ssrc, 96]));
          expect(got.map((p) => p.payload.toString('hex'))).toEqual(expected.map((e) => e.payload.toString('hex')));
          expect(srtp.stats(track)[0]).toBe(expected.length);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('a stream moved to another socket and address (a new ICE pair) keeps its rollover counter', async () => {
    const other = createSocket('udp4');
    await new Promise<void>((r) => other.bind(0, '127.0.0.1', r));
    const moved: Buffer[] = [];
    const rx2 = createSocket('udp4');
    await new Promise<void>((r) => rx2.bind(0, '127.0.0.1', r));
    rx2.on('message', (m) => moved.push(m));
    try {
      const { keys, receiver } = sessions(SrtpProfile.AeadAes128Gcm, 9);
      const track = srtp.create(SrtpProfile.AeadAes128Gcm, keys.key, keys.salt, keys.auth, socketFd(tx) as number, '127.0.0.1', rx.address().port, 77, 96);
      // across the sequence wrap on the first path, then on to the second
      srtp.sendMany(track, [Buffer.from('a'), Buffer.from('b'), Buffer.from('c')], 0xfffe, 1000, true);
      srtp.setPath(track, socketFd(other) as number, '127.0.0.1', rx2.address().port);
      srtp.sendMany(track, [Buffer.from('d')], 1, 2000, true);
      const first = (await received(3)).map((b) => RtpPacket.deSerialize(receiver.decrypt(b)).payload.toString());
      for (let i = 0; i < 100 && moved.length < 1; i++) await new Promise((r) => setTimeout(r, 5));
      const second = moved.map((b) => RtpPacket.deSerialize(receiver.decrypt(b)).payload.toString());
      expect([...first, ...second]).toEqual(['a', 'b', 'c', 'd']);
      expect(() => srtp.setPath(track, 1, 'nowhere', 9)).toThrow(/setPath/);
    } finally {
      other.close();
      rx2.close();
    }
  });

  it('refuses bad arguments with a coded error and drops what cannot fit a packet', () => {
    const fd = socketFd(tx) as number;
    const { keys } = sessions(SrtpProfile.AeadAes128Gcm, 1);
    expect(() => srtp.create(3 as SrtpProfileId, keys.key, keys.salt, keys.auth, fd, '127.0.0.1', 9, 1, 96)).toThrow(/create\(profile/);
    expect(() => srtp.create(SrtpProfile.AeadAes128Gcm, keys.key, keys.salt, keys.auth, fd, 'not an address', 9, 1, 96)).toThrow(/create\(profile/);
    const track = srtp.create(SrtpProfile.AeadAes128Gcm, keys.key, keys.salt, keys.auth, fd, '127.0.0.1', rx.address().port, 1, 96);
    expect(() => srtp.sendMany(track, ['x' as unknown as Buffer], 0, 0, true)).toThrow(/Buffers/);
    expect(srtp.sendMany(track, [Buffer.alloc(1600)], 0, 0, true)).toBe(0);
    expect(srtp.stats(track)[2]).toBe(1);
  });
});
