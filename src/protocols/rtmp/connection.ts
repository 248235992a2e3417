import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import type { Logger } from '../../base/index.js';
import { ChunkReader, type ChunkReaderLimits } from './chunk/index.js';
import { acknowledgementMessage, pingResponse, setChunkSizeMessage } from './control-messages.js';
import { RtmpTimeoutError } from './errors.js';
import type { HandshakeStep } from './handshake/index.js';
import { MessageType, UserControlEvent, type RtmpMessage } from './message-types.js';

const TWO_POW_32 = 4294967296;

/** Timing and size settings every RTMP connection takes from config. */
export interface ConnectionSettings {
  limits: ChunkReaderLimits;
  handshakeTimeoutMs: number;
  idleTimeoutMs: number;
}

export interface ConnectionEvents {
  /** Emitted once, when the socket is gone; `error` says why when it was not a clean close. */
  close: [error: Error | undefined];
}

/**
 * The part of an RTMP connection both ends share: the handshake, chunk reassembly,
 * protocol control messages (acknowledgements, pings, chunk size) and timeouts.
 * Any error while parsing closes this connection only, once, with a typed error.
 */
export abstract class RtmpConnection extends EventEmitter<ConnectionEvents> {
  protected readonly reader: ChunkReader;
  protected outChunkSize = 128;
  private handshaking = true;
  private handshakeTimer: NodeJS.Timeout | undefined;
  private bytesIn = 0;
  private lastAck = 0;
  private peerWindow = 0;
  private closing = false;
  private closeError: Error | undefined;

  protected constructor(
    readonly socket: Socket,
    protected readonly settings: ConnectionSettings,
    protected readonly log: Logger,
  ) {
    super();
    this.reader = new ChunkReader((m) => this.dispatch(m), settings.limits);
    socket.setNoDelay(true);
    socket.on('data', (data: Buffer) => this.onData(data));
    socket.on('error', (err) => this.abort(err));
    socket.on('timeout', () => this.abort(new RtmpTimeoutError(`no traffic for ${settings.idleTimeoutMs} ms`)));
    socket.once('close', () => {
      clearTimeout(this.handshakeTimer);
      this.closing = true;
      this.onClosed(this.closeError);
      this.emit('close', this.closeError);
    });
    this.handshakeTimer = setTimeout(() => this.abort(new RtmpTimeoutError(`handshake not finished in ${settings.handshakeTimeoutMs} ms`)), settings.handshakeTimeoutMs);
    this.handshakeTimer.unref();
  }

  get closed(): boolean {
    return this.closing;
  }

  get remoteAddress(): string {
    return this.socket.remoteAddress ?? 'unknown';
  }

  /** Feeds handshake bytes; returns what to send and whether the handshake is done. */
  protected abstract handshake(bytes: Buffer): HandshakeStep;
  /** Called once the handshake completes, before any chunk is parsed. */
  protected abstract onHandshakeDone(): void;
  /** Every message other than the protocol control messages handled here. */
  protected abstract onMessage(message: RtmpMessage): void;
  /** Called once when the socket has closed, to release what the session holds. */
  protected abstract onClosed(error: Error | undefined): void;

  write(bytes: Buffer): void {
    if (!this.closing) this.socket.write(bytes);
  }

  /** Announces and starts using a chunk size for what we send. */
  protected setOutChunkSize(size: number): void {
    this.write(setChunkSizeMessage(size));
    this.outChunkSize = size;
  }

  /** Ends the connection after what was written is flushed. */
  end(): void {
    if (this.closing) return;
    this.closing = true;
    this.socket.end();
    // A peer that never reads would keep the socket half-open forever.
    setTimeout(() => this.socket.destroy(), 2000).unref();
  }

  /** Drops the connection now because of `error`. */
  abort(error: Error): void {
    if (this.socket.destroyed) return;
    this.closeError ??= error;
    this.closing = true;
    this.socket.destroy();
  }

  private onData(data: Buffer): void {
    if (this.socket.destroyed) return;
    try {
      this.bytesIn += data.length;
      if (this.handshaking) {
        const step = this.handshake(data);
        for (const b of step.send) this.socket.write(b);
        if (!step.done) return;
        this.handshaking = false;
        clearTimeout(this.handshakeTimer);
        this.socket.setTimeout(this.settings.idleTimeoutMs);
        this.onHandshakeDone();
        if (step.rest.length > 0) this.reader.push(step.rest);
      } else {
        this.reader.push(data);
      }
      this.acknowledge();
    } catch (err) {
      this.log.warn({ err, remote: this.remoteAddress }, 'closing connection after a protocol error');
      this.abort(err as Error);
    }
  }

  private acknowledge(): void {
    // RTMP spec 1.0 §5.4.3: acknowledge once per window the peer asked for.
    if (this.peerWindow > 0 && this.bytesIn - this.lastAck >= this.peerWindow) {
      this.lastAck = this.bytesIn;
      this.write(acknowledgementMessage(this.bytesIn % TWO_POW_32));
    }
  }

  private dispatch(message: RtmpMessage): void {
    if (this.socket.destroyed) return;
    switch (message.typeId) {
      case MessageType.SetChunkSize:
      case MessageType.Abort:
      case MessageType.Acknowledgement:
      case MessageType.SetPeerBandwidth:
        return;
      case MessageType.WindowAckSize:
        if (message.payload.length >= 4) this.peerWindow = message.payload.readUInt32BE(0);
        return;
      case MessageType.UserControl:
        if (message.payload.length >= 6 && message.payload.readUInt16BE(0) === UserControlEvent.PingRequest) {
          this.write(pingResponse(message.payload.readUInt32BE(2)));
        }
        return;
      default:
        this.onMessage(message);
    }
  }
}
