import type { z } from 'zod';
import { ConfigError } from './errors.js';
import { ZenLiveConfigSchema, type ZenLiveConfig } from './schema.js';

function pathOf(path: readonly PropertyKey[]): string {
  return path.map(String).join('.');
}

/** Turns zod issues into one line per bad key, e.g. `streaming.rtmp.port: expected number, received string`. */
function describeIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) lines.push(`${pathOf([...issue.path, key])}: unknown key`);
    } else {
      lines.push(`${pathOf(issue.path) || '(root)'}: ${issue.message}`);
    }
  }
  return lines;
}

/** Rules that span several keys, which the per-key schema cannot express. */
function crossChecks(config: ZenLiveConfig): string[] {
  const problems: string[] = [];
  const hub = config.streaming.hub;
  if (hub.viewer_hard_limit_bytes <= hub.viewer_soft_limit_bytes) {
    problems.push('streaming.hub.viewer_hard_limit_bytes: must be greater than viewer_soft_limit_bytes');
  }
  if (config.cluster.enabled && !config.redis.enabled) {
    problems.push('redis.enabled: must be true when cluster.enabled is true (nodes share state through Redis)');
  }
  const rtc = config.streaming.webrtc;
  if (rtc.udp_port_min > rtc.udp_port_max) problems.push('streaming.webrtc.udp_port_min: must not exceed udp_port_max');
  if (rtc.viewer_workers > 0 && rtc.viewer_transport === 'werift') problems.push('streaming.webrtc.viewer_workers: needs viewer_transport "native" or "direct" (werift viewers stay in the server process)');
  const hls = config.streaming.hls;
  if (hls.low_latency && hls.part_duration_seconds * 2 > hls.segment_duration_seconds) {
    problems.push('streaming.hls.part_duration_seconds: must be at most half of segment_duration_seconds');
  }
  const names = hls.abr.renditions.map((r) => r.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) problems.push(`streaming.hls.abr.renditions: the name "${dup}" is used twice`);
  if (config.storage.type === 's3' && config.storage.s3.bucket === '') problems.push('storage.s3.bucket: required when storage.type is "s3"');
  return problems;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Validates a configuration object, fills in defaults and freezes it; throws ConfigError naming each bad key. */
export function parseConfig(input: unknown): ZenLiveConfig {
  const result = ZenLiveConfigSchema.safeParse(input ?? {});
  if (!result.success) throw new ConfigError(describeIssues(result.error.issues));
  const problems = crossChecks(result.data);
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(result.data);
}
