import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { requireBinary } from '../../test/helpers/peers.js';
import { buildWatermarkFilter, filterValue, type TextWatermark } from './watermark.js';

const run = promisify(execFile);
const W = 320;
const H = 180;

/** Renders the watermark over a black frame with ffmpeg and returns the RGB24 pixels. */
async function render(watermark: TextWatermark): Promise<Buffer> {
  requireBinary('ffmpeg');
  const f = buildWatermarkFilter(watermark);
  const { stdout } = await run(
    'ffmpeg',
    ['-v', 'error', '-f', 'lavfi', '-i', `color=c=black:s=${W}x${H}`, ...f.inputs, '-filter_complex', f.filterComplex, '-map', `[${f.outputLabel}]`, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
    { encoding: 'buffer', maxBuffer: 16 << 20 },
  );
  return stdout;
}

function brightIn(rgb: Buffer, x0: number, y0: number, x1: number, y1: number): number {
  let n = 0;
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if ((rgb[(y * W + x) * 3] ?? 0) > 128) n++;
  return n;
}

const text: TextWatermark = { kind: 'text', text: 'ZenLive', position: 'bottom-right', marginPx: 8, opacity: 1, fontSizePx: 24, color: 'white' };

describe('watermark filter', () => {
  it('lays an image over the chosen corner with its opacity', () => {
    const f = buildWatermarkFilter({ kind: 'image', imagePath: '/logos/a.png', position: 'top-right', marginPx: 10, opacity: 0.5, widthPx: 100 });
    expect(f.inputs).toEqual(['-i', '/logos/a.png']);
    expect(f.filterComplex).toBe('[1:v]scale=100:-1,format=rgba,colorchannelmixer=aa=0.500[wm_logo];[0:v][wm_logo]overlay=x=W-w-10:y=10:format=auto,format=yuv420p[watermarked]');
  });

  it('draws text where asked: pixels light up in that corner only', async () => {
    const rgb = await render(text);
    expect(brightIn(rgb, W / 2, H / 2, W, H)).toBeGreaterThan(50);
    expect(brightIn(rgb, 0, 0, W / 2, H / 2)).toBe(0);
    const top = await render({ ...text, position: 'top-left' });
    expect(brightIn(top, 0, 0, W / 2, H / 2)).toBeGreaterThan(50);
    expect(brightIn(top, W / 2, H / 2, W, H)).toBe(0);
  });

  it('a transparent watermark draws nothing', async () => {
    expect(brightIn(await render({ ...text, opacity: 0 }), 0, 0, W, H)).toBe(0);
  });

  it("keeps quotes, colons, brackets and backslashes in the text from breaking the graph", async () => {
    const rgb = await render({ ...text, text: "It's 10:30, [a];b\\c %{n}", position: 'center' });
    expect(brightIn(rgb, 0, 0, W, H)).toBeGreaterThan(50);
  });

  it('escaped values read back unchanged through both unescaping levels, with no bare separator at either (property)', () => {
    // one level of ffmpeg unescaping: a backslash takes the next character literally
    const unescape = (v: string): { out: string; bare: string } => {
      let out = '';
      let bare = '';
      for (let i = 0; i < v.length; i++) {
        const c = v[i] as string;
        if (c === '\\' && i + 1 < v.length) out += v[++i];
        else {
          out += c;
          bare += c;
        }
      }
      return { out, bare };
    };
    fc.assert(
      fc.property(fc.string(), (s) => {
        const graph = unescape(filterValue(s));
        expect(graph.bare).not.toMatch(/[\\'[\],;]/);
        const option = unescape(graph.out);
        expect(option.bare).not.toMatch(/[\\':]/);
        expect(option.out).toBe(s);
      }),
    );
  });
});
