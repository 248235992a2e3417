import type { ZenLiveConfig } from '../config/index.js';

/** A part of the product that config can switch on but this version does not have yet. */
interface PendingFeature {
  key: string;
  what: string;
  enabled: (config: ZenLiveConfig) => boolean;
  /** Running without it would be unsafe (e.g. auth): refuse to start instead of warning. */
  blocking: boolean;
  /** The whole message, when "... is not built in this version yet" does not fit. */
  line?: string;
}

const PENDING: readonly PendingFeature[] = [
  {
    key: 'streaming.enable_webrtc',
    what: 'WebRTC',
    line: 'WHIP ingest, WHEP playback and call rooms (/ws/rtc, simulcast) are on; the SFU on worker threads and RTX are not built in this version yet',
    enabled: (c) => c.streaming.enable_webrtc,
    blocking: false,
  },
  { key: 'analytics.enabled', what: 'analytics and Prometheus metrics', enabled: (c) => c.analytics.enabled, blocking: false },
  { key: 'interactive.enabled', what: 'polls, reactions and gifts', enabled: (c) => c.interactive.enabled, blocking: false },
  { key: 'security.enabled', what: 'IP firewall and rate limits', enabled: (c) => c.security.enabled, blocking: false },
  {
    key: 'streaming.hls.offload_to_storage',
    what: 'HLS offload',
    line: 'HLS offload needs storage.type "local" or "s3" to copy segments to',
    enabled: (c) => c.streaming.hls.offload_to_storage && c.storage.type === 'none',
    blocking: true,
  },
  {
    key: 'recording.enabled',
    what: 'recording',
    line: 'recording needs storage.type "local" or "s3" to keep the files',
    enabled: (c) => c.recording.enabled && c.storage.type === 'none',
    blocking: true,
  },
  { key: 'cluster.enabled', what: 'cluster routing (node discovery, stream routing, origin-edge relays; shared state and chat already go through Redis)', enabled: (c) => c.cluster.enabled, blocking: false },
];

/** Which enabled parts of the config this version cannot serve yet, split by whether start-up may go on. */
export function pendingFeatures(config: ZenLiveConfig): { warnings: string[]; blockers: string[] } {
  const warnings: string[] = [];
  const blockers: string[] = [];
  for (const f of PENDING) {
    if (!f.enabled(config)) continue;
    if (f.line !== undefined) {
      (f.blocking ? blockers : warnings).push(`${f.key}: ${f.line}`);
      continue;
    }
    const line = `${f.key}: ${f.what} is not built in this version yet`;
    if (f.blocking) blockers.push(`${line}; set it to false to run without it`);
    else warnings.push(`${line}; ignored`);
  }
  return { warnings, blockers };
}
