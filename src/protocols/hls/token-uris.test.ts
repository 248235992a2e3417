import { describe, expect, it } from 'vitest';
import { withPlaybackToken } from './token-uris.js';

describe('withPlaybackToken', () => {
  it('adds the token to URI lines and to the URI attributes of tags, leaving everything else alone', () => {
    const playlist = [
      '#EXTM3U',
      '#EXT-X-TARGETDURATION:2',
      '#EXT-X-MAP:URI="g-init-1.mp4"',
      '#EXTINF:2.000,',
      'g-0.m4s',
      '#EXT-X-PART:DURATION=0.3,URI="g-1.0.m4s",INDEPENDENT=YES',
      '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="g-1.1.m4s"',
      '#EXT-X-RENDITION-REPORT:URI="../720p/index.m3u8",LAST-MSN=1',
      'source/index.m3u8?s=abc',
      '',
    ].join('\n');
    const out = withPlaybackToken(playlist, 'a.b/c').split('\n');
    expect(out[2]).toBe('#EXT-X-MAP:URI="g-init-1.mp4?token=a.b%2Fc"');
    expect(out[4]).toBe('g-0.m4s?token=a.b%2Fc');
    expect(out[5]).toBe('#EXT-X-PART:DURATION=0.3,URI="g-1.0.m4s?token=a.b%2Fc",INDEPENDENT=YES');
    expect(out[6]).toBe('#EXT-X-PRELOAD-HINT:TYPE=PART,URI="g-1.1.m4s?token=a.b%2Fc"');
    expect(out[7]).toBe('#EXT-X-RENDITION-REPORT:URI="../720p/index.m3u8?token=a.b%2Fc",LAST-MSN=1');
    expect(out[8]).toBe('source/index.m3u8?s=abc&token=a.b%2Fc');
    expect(out.slice(0, 2)).toEqual(['#EXTM3U', '#EXT-X-TARGETDURATION:2']);
    expect(out[9]).toBe('');
  });
});
