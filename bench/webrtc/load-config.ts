// The contract between the orchestrator (bench/webrtc-fanout.ts) and the load process (fanout-load.ts).

/** A viewer keeps up when it got at least this share of the packets sent in the window. */
export const KEEP_UP_SHARE = 0.98;

/** What the orchestrator asks of one load run. */
export interface WebRtcLoadConfig {
  /** Publish the clip here first (`http://…/whip/KEY`); omitted in send-cost mode. */
  whipUrl?: string;
  whepUrl: string;
  clipPath: string;
  /** RTP payload size of our packetizer: the server's `max_rtp_payload_bytes`, so packets match one for one. */
  maxPayloadBytes: number;
  subscribers: number;
  /** Viewers being set up at once. */
  stagger: number;
  warmupSeconds: number;
  windowSeconds: number;
  /** The process under test (ZenLive, or the send-cost sender), measured over the window. */
  serverPid: number;
  serverCore: number;
  loadCore: number;
  /** SIGUSR2 to the server at both edges of the window (its CPU profile). */
  signalServer?: boolean;
}

/** The numbers one load run reports. */
export interface WebRtcLoadResult {
  event: 'result';
  subscribers: number;
  connected: number;
  failed_connects: number;
  /** Viewers that closed (ICE or DTLS failure, server hang-up) before the window ended. */
  closed_early: number;
  keeping_up: number;
  window_s: number;
  /** Frames the publisher sent in the window and their packets (what each viewer should get); 0 in send-cost mode. */
  window_frames: number;
  packets_sent_per_subscriber: number;
  /** Received of sent, over all viewers, for the window's frames; null in send-cost mode. */
  loss_percent: number | null;
  received_share_percent: { min: number | null; p10: number | null; median: number | null };
  /** Packets of the window's frames each viewer received, in connection order (compare with packets_sent_per_subscriber). */
  per_subscriber_received: number[];
  /** RTP packets that reached the viewers during the window, all together, per second. */
  packets_received_per_s: number;
  /** Gaps in the viewers' sequence numbers over their whole session (loss on the way, not frames the server skipped). */
  sequence_loss_percent: number;
  latency_ms: Record<string, number | null>;
  latency_samples: number;
  /** The server's time to hand each frame to all viewers (its histogram, bucket bounds), for the window; null when not offered. */
  server_delivery_ms: { p50: number | null; p99: number | null; frames: number } | null;
  /** For each viewer and frame, how long after the frame entered the hub the server handed it to that viewer (bucket bounds); null when not offered. */
  server_viewer_ms: { p50: number | null; p99: number | null; samples: number } | null;
  server_cpu_ms: number;
  server_cpu_percent: number;
  cpu_ms_per_subscriber_second: number;
  server_rss_mb: number;
  server_rss_start_mb: number;
  loadgen_cpu_percent: number;
  loadgen_loop_delay_p99_ms: number;
  other_cpu_server_core_percent: number;
  other_cpu_load_core_percent: number;
  publisher_packets_per_s: number;
  connect_ms: number;
  first_error: string | undefined;
}

