/** Why a WHIP/WHEP resource ended. */
export type ResourceEndReason = 'deleted' | 'ice-failed' | 'connect-timeout' | 'stream-ended' | 'server-stopping' | 'negotiation-failed' | 'worker-failed';

/** Timing and address settings every resource shares. */
export interface PeerResourceSettings {
  connectTimeoutMs: number;
  /** How long a connection may stay `disconnected` (e.g. waiting for an ICE restart) before it ends. */
  disconnectGraceMs: number;
  publicIp?: string;
}

/**
 * The life of one peer's connection, whatever WebRTC stack reports it: ended if it does not
 * connect in time, told once connected, given a grace period when it drops (an ICE restart may
 * bring it back), ended when it fails or closes.
 */
export class ConnectionWatch {
  private readonly connectTimer: NodeJS.Timeout;
  private disconnectTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly settings: PeerResourceSettings,
    private readonly on: { connected(): void; end(reason: ResourceEndReason): void },
  ) {
    this.connectTimer = setTimeout(() => on.end('connect-timeout'), settings.connectTimeoutMs);
  }

  /** A connection state from the stack: 'connected', 'disconnected', 'failed', 'closed', … */
  state(state: string): void {
    if (state === 'connected') {
      clearTimeout(this.connectTimer);
      clearTimeout(this.disconnectTimer);
      this.disconnectTimer = undefined;
      this.on.connected();
    } else if (state === 'failed' || state === 'closed') {
      this.on.end('ice-failed');
    } else if (state === 'disconnected' && this.disconnectTimer === undefined) {
      this.disconnectTimer = setTimeout(() => this.on.end('ice-failed'), this.settings.disconnectGraceMs);
    }
  }

  stop(): void {
    clearTimeout(this.connectTimer);
    clearTimeout(this.disconnectTimer);
  }
}
