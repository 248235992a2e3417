import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planCodecs } from './codec-choice.js';
import { WebRtcRequestError } from './errors.js';
import { buildIceFragment, parseIceFragment, withIceCredentials } from './ice-fragment.js';
import { addPublicIpCandidates } from './public-ip.js';
import { parseSdpOffer, restrictOffer } from './sdp-offer.js';

// The shape of Chromium 156's sendonly offer, trimmed to what codec choice reads.
const CHROMIUM_OFFER = [
  'v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'a=group:BUNDLE 0 1',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111 63 0', 'c=IN IP4 0.0.0.0', 'a=ice-ufrag:mYog', 'a=ice-pwd:tpsobFf23Fxpc/OlJBREJ4MX',
  'a=fingerprint:sha-256 25:18:11:55', 'a=setup:actpass', 'a=mid:0', 'a=sendonly',
  'a=rtpmap:111 opus/48000/2', 'a=rtcp-fb:111 transport-cc', 'a=fmtp:111 minptime=10;useinbandfec=1', 'a=rtpmap:63 red/48000/2', 'a=fmtp:63 111/111', 'a=rtpmap:0 PCMU/8000',
  'm=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103 104 116', 'c=IN IP4 0.0.0.0', 'a=mid:1', 'a=sendonly',
  'a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01', 'a=extmap:4/sendonly urn:3gpp:video-orientation',
  'a=rtpmap:96 VP8/90000', 'a=rtcp-fb:96 nack', 'a=rtpmap:97 rtx/90000', 'a=fmtp:97 apt=96',
  'a=rtpmap:102 H264/90000', 'a=rtcp-fb:102 nack pli', 'a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f',
  'a=rtpmap:103 rtx/90000', 'a=fmtp:103 apt=102',
  'a=rtpmap:104 H264/90000', 'a=fmtp:104 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f',
  'a=rtpmap:116 H264/90000', 'a=fmtp:116 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=64001f',
  '',
].join('\r\n');

describe('SDP offers: parsing, codec choice, restriction', () => {
  it('reads m-sections, mids, directions and codecs with their fmtp', () => {
    const media = parseSdpOffer(CHROMIUM_OFFER);
    expect(media.map((m) => [m.kind, m.mid, m.direction])).toEqual([['audio', '0', 'sendonly'], ['video', '1', 'sendonly']]);
    expect(media[1]?.codecs.find((c) => c.payloadType === 102)?.fmtp['profile-level-id']).toBe('42001f');
    expect(media[1]?.extensions).toEqual([
      { id: 3, uri: 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01' },
      { id: 4, uri: 'urn:3gpp:video-orientation' },
    ]);
  });

  it('chooses Opus and H.264 packetization-mode 1, preferring the stream profile, else Constrained Baseline', () => {
    const media = parseSdpOffer(CHROMIUM_OFFER);
    expect(planCodecs(media).video?.codec.payloadType).toBe(102);
    expect(planCodecs(media, 0x64).video?.codec.payloadType).toBe(116);
    expect(planCodecs(media).audio?.codec.payloadType).toBe(111);
  });

  it('restricting an offer keeps only the chosen payload types, in every line that names one', () => {
    const plan = planCodecs(parseSdpOffer(CHROMIUM_OFFER));
    const restricted = restrictOffer(CHROMIUM_OFFER, plan.keep);
    expect(restricted).toContain('m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n');
    expect(restricted).toContain('m=video 9 UDP/TLS/RTP/SAVPF 102\r\n');
    expect(restricted).not.toMatch(/a=(rtpmap|fmtp|rtcp-fb):(63|0|96|97|103|104|116) /);
    expect(restricted).toContain('a=fingerprint:sha-256 25:18:11:55');
    expect(parseSdpOffer(restricted).map((m) => m.codecs.map((c) => c.payloadType))).toEqual([[111], [102]]);
  });

  it('what is not an offer with media and a fingerprint is WEBRTC_BAD_SDP', () => {
    expect(() => parseSdpOffer('hello')).toThrow(WebRtcRequestError);
    expect(() => parseSdpOffer('v=0\r\ns=-\r\n')).toThrow(/no media/);
    expect(() => parseSdpOffer(CHROMIUM_OFFER.replace(/a=fingerprint:.*\r\n/, ''))).toThrow(/fingerprint/);
  });

  it('any text either parses or throws WebRtcRequestError, nothing else', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom('v=0', 'm=video 9 X 96', 'a=rtpmap:96 H264/90000', 'a=fmtp:96 packetization-mode=1', 'a=mid:0', 'a=fingerprint:x'), fc.string()), { maxLength: 12 }), (lines) => {
        try {
          parseSdpOffer(lines.join('\r\n'));
        } catch (err) {
          expect(err).toBeInstanceOf(WebRtcRequestError);
        }
      }),
    );
  });
});

describe('trickle ICE fragments (RFC 8840) and public IP candidates', () => {
  it('reads credentials, candidates with their mid, and end-of-candidates', () => {
    const f = parseIceFragment('a=ice-ufrag:ab\r\na=ice-pwd:cd\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\na=candidate:1 1 udp 1 127.0.0.1 5000 typ host\r\na=end-of-candidates\r\n');
    expect(f).toEqual({ ufrag: 'ab', pwd: 'cd', candidates: [{ candidate: 'candidate:1 1 udp 1 127.0.0.1 5000 typ host', mid: '0' }], endOfCandidates: true });
    expect(() => parseIceFragment('nonsense')).toThrow(WebRtcRequestError);
  });

  it('our restart fragment carries the new credentials and the first section candidates', () => {
    const sdp = 'v=0\r\na=ice-ufrag:new1\r\na=ice-pwd:pw\r\nm=audio 9 X 111\r\na=mid:0\r\na=candidate:1 1 udp 9 127.0.0.1 5000 typ host\r\nm=video 9 X 96\r\na=mid:1\r\na=candidate:1 1 udp 9 127.0.0.1 5000 typ host\r\n';
    const frag = buildIceFragment(sdp);
    expect(frag.match(/a=candidate/g)).toHaveLength(1);
    expect(frag).toContain('a=ice-ufrag:new1');
    expect(withIceCredentials(sdp, 'u2', 'p2')).not.toMatch(/new1|a=candidate/);
  });

  it('each host candidate gets a twin on the public IP, same port, lower priority', () => {
    const out = addPublicIpCandidates('a=candidate:7 1 udp 2130706431 10.0.0.5 40001 typ host\r\n', '203.0.113.9');
    expect(out).toBe('a=candidate:7 1 udp 2130706431 10.0.0.5 40001 typ host\r\na=candidate:7n 1 udp 2130706430 203.0.113.9 40001 typ host\r\n');
  });
});
