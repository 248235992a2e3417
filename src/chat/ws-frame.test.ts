import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as wsModule from 'ws';

// ws exports its frame parser at run time; @types/ws does not declare it.
interface FrameReceiver {
  on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): void;
  on(event: 'error', listener: (err: Error) => void): void;
  write(chunk: Buffer): void;
}
const { Receiver } = wsModule as unknown as { Receiver: new (options: { isServer: boolean; maxPayload: number }) => FrameReceiver };
import { buildTextFrame } from './ws-frame.js';

/** Decodes frames with ws's own receiver (the parser every ws client runs). */
function decode(frames: Buffer[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const out: string[] = [];
    const r = new Receiver({ isServer: false, maxPayload: 0 });
    r.on('message', (data: Buffer, isBinary: boolean) => {
      expect(isBinary).toBe(false);
      out.push(data.toString('utf8'));
      if (out.length === frames.length) resolve(out);
    });
    r.on('error', reject);
    for (const f of frames) r.write(f);
  });
}

describe('buildTextFrame', () => {
  it('frames every payload size class so ws reads back the same text', async () => {
    const sizes = [0, 1, 125, 126, 127, 65_535, 65_536, 70_000];
    const texts = sizes.map((n) => 'x'.repeat(n));
    expect(await decode(texts.map((t) => buildTextFrame(Buffer.from(t))))).toEqual(texts);
  });

  it('any UTF-8 text survives framing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.string({ unit: 'grapheme', maxLength: 300 }), { minLength: 1, maxLength: 10 }), async (texts) => {
        expect(await decode(texts.map((t) => buildTextFrame(Buffer.from(t))))).toEqual(texts);
      }),
      { numRuns: 50 },
    );
  });
});
