import type { Socket } from 'node:net';
import type { Logger } from '../../base/index.js';
import { resolveDecision, STREAM_ID_PATTERN, StreamAlreadyPublishingError, type AuthorizePlay, type AuthorizePublish, type StreamRegistry } from '../../hub/index.js';
import { decodeAmf0, type AmfObject, type AmfValue } from './amf/index.js';
import { commandMessage, dataMessage, onStatusMessage, statusInfo, toCommand, type RtmpCommand } from './commands.js';
import { RtmpConnection, type ConnectionSettings } from './connection.js';
import { setPeerBandwidthMessage, streamBegin, windowAckSizeMessage } from './control-messages.js';
import { ServerHandshake, type HandshakeStep } from './handshake/index.js';
import { MessageType, type RtmpMessage } from './message-types.js';
import { RtmpPlayback } from './playback.js';
import { RtmpPublishing } from './publishing.js';
import { RtmpFrameFormat } from './rtmp-format.js';

/** What every server session shares: the hub, the app's hooks and the RTMP settings. */
export interface RtmpServerContext {
  registry: StreamRegistry;
  authorizePublish: AuthorizePublish | undefined;
  /** Checked before any play (private streams need a playback token: `?token=` on the stream name). */
  authorizePlay: AuthorizePlay | undefined;
  apps: readonly string[];
  chunkSize: number;
  windowAckSize: number;
  /** The chunk encoding shared by every player on message stream 1. */
  sharedFormat: RtmpFrameFormat;
  settings: ConnectionSettings;
  logger: Logger;
}

/** Splits `name?query` into the name and its parameters. */
function splitQuery(raw: string): { name: string; query: Record<string, string> } {
  const i = raw.indexOf('?');
  if (i < 0) return { name: raw, query: {} };
  return { name: raw.slice(0, i), query: Object.fromEntries(new URLSearchParams(raw.slice(i + 1))) };
}

const FOURCC_LIST = ['avc1', 'hvc1', 'av01', 'vp09'];

/** One client connection to the RTMP server: publisher or player, as its commands decide. */
export class RtmpServerSession extends RtmpConnection {
  // Dropped once done: a thousand idle players should not each hold a 1.5 KB C1 buffer.
  private shake: ServerHandshake | undefined = new ServerHandshake();
  private app: string | undefined;
  private nextMessageStreamId = 1;
  publishing: RtmpPublishing | undefined;
  private readonly playbacks = new Map<number, RtmpPlayback>();
  lastMediaAt = performance.now();
  /** The encoder's flashVer from connect (e.g. "FMLE/3.0 (compatible; obs-output module)"). */
  private connectEncoder: string | undefined;

  constructor(
    socket: Socket,
    private readonly ctx: RtmpServerContext,
    readonly id: string,
  ) {
    super(socket, ctx.settings, ctx.logger.child({ session: id, remote: socket.remoteAddress }));
  }

  protected handshake(bytes: Buffer): HandshakeStep {
    return (this.shake ??= new ServerHandshake()).push(bytes);
  }

  protected onHandshakeDone(): void {
    this.log.debug({ mode: this.shake?.mode }, 'handshake done');
    this.shake = undefined;
  }

  protected onMessage(message: RtmpMessage): void {
    switch (message.typeId) {
      case MessageType.Audio:
      case MessageType.Video:
        if (this.publishing !== undefined && message.streamId === this.publishing.messageStreamId) {
          this.lastMediaAt = performance.now();
          this.publishing.onMedia(message);
        }
        return;
      case MessageType.DataAmf0:
      case MessageType.DataAmf3:
        if (this.publishing !== undefined) {
          const body = message.typeId === MessageType.DataAmf3 ? message.payload.subarray(1) : message.payload;
          this.publishing.onData(decodeAmf0(body));
        }
        return;
      case MessageType.CommandAmf0:
      case MessageType.CommandAmf3: {
        // An AMF3 command starts with a format byte, then AMF0 values that may switch to AMF3.
        const body = message.typeId === MessageType.CommandAmf3 ? message.payload.subarray(1) : message.payload;
        const command = toCommand(decodeAmf0(body));
        if (command !== undefined) this.onCommand(command, message.streamId);
        return;
      }
      default:
        this.log.debug({ type: message.typeId }, 'ignoring message type');
    }
  }

  protected onClosed(error: Error | undefined): void {
    if (error !== undefined) this.log.info({ err: error.message }, 'connection closed');
    else this.log.debug('connection closed');
    const publishing = this.publishing;
    this.publishing = undefined;
    publishing?.stream.end('publisher-left');
    for (const p of this.playbacks.values()) p.subscription?.unsubscribe();
    this.playbacks.clear();
  }

  private onCommand(cmd: RtmpCommand, messageStreamId: number): void {
    switch (cmd.name) {
      case 'connect':
        return this.onConnect(cmd);
      case 'createStream':
        return this.reply(cmd, null, this.nextMessageStreamId++);
      case 'releaseStream':
      case 'getStreamLength':
        return this.reply(cmd, null, cmd.name === 'getStreamLength' ? 0 : undefined);
      case 'FCPublish':
        return this.write(commandMessage('onFCPublish', 0, null, [statusInfo('status', 'NetStream.Publish.Start', String(cmd.args[0] ?? ''))], 0, this.outChunkSize));
      case 'publish':
        void this.onPublish(cmd, messageStreamId);
        return;
      case 'play':
        return this.onPlay(cmd, messageStreamId);
      case 'FCUnpublish':
      case 'deleteStream':
      case 'closeStream':
        return this.onStreamClosed(cmd.name === 'deleteStream' && typeof cmd.args[0] === 'number' ? cmd.args[0] : messageStreamId);
      default:
        this.log.debug({ command: cmd.name }, 'ignoring command');
    }
  }

  private reply(cmd: RtmpCommand, commandObject: AmfValue, ...args: AmfValue[]): void {
    if (cmd.transactionId > 0) this.write(commandMessage('_result', cmd.transactionId, commandObject, args, 0, this.outChunkSize));
  }

  private onConnect(cmd: RtmpCommand): void {
    const obj = (cmd.commandObject ?? {}) as AmfObject;
    const app = typeof obj['app'] === 'string' ? splitQuery(obj['app']).name.replace(/\/+$/, '') : '';
    if (!this.ctx.apps.includes(app)) {
      this.write(commandMessage('_error', cmd.transactionId, null, [statusInfo('error', 'NetConnection.Connect.Rejected', `unknown application "${app}"; this server serves ${this.ctx.apps.join(', ')}`)], 0, this.outChunkSize));
      this.log.warn({ app }, 'connect refused: unknown application');
      this.end();
      return;
    }
    this.app = app;
    if (typeof obj['flashVer'] === 'string') this.connectEncoder = obj['flashVer'].slice(0, 200);
    this.write(windowAckSizeMessage(this.ctx.windowAckSize));
    this.write(setPeerBandwidthMessage(this.ctx.windowAckSize));
    this.setOutChunkSize(this.ctx.chunkSize);
    const props: AmfObject = { fmsVer: 'FMS/3,5,7,7009', capabilities: 31, mode: 1 };
    if (Array.isArray(obj['fourCcList'])) props['fourCcList'] = FOURCC_LIST;
    const encoding = typeof obj['objectEncoding'] === 'number' ? obj['objectEncoding'] : 0;
    this.reply(cmd, props, statusInfo('status', 'NetConnection.Connect.Success', 'Connection succeeded.', { objectEncoding: encoding }));
  }

  private refuse(code: string, description: string, messageStreamId: number): void {
    this.write(onStatusMessage('error', code, description, messageStreamId, this.outChunkSize));
    this.log.warn({ code, description }, 'refused');
    this.end();
  }

  private async onPublish(cmd: RtmpCommand, messageStreamId: number): Promise<void> {
    const raw = typeof cmd.args[0] === 'string' ? cmd.args[0] : '';
    const { name: key, query } = splitQuery(raw);
    if (this.app === undefined) return this.refuse('NetStream.Publish.BadName', 'publish before connect', messageStreamId);
    if (this.publishing !== undefined) return this.refuse('NetStream.Publish.BadName', 'this connection is already publishing', messageStreamId);
    if (!STREAM_ID_PATTERN.test(key)) return this.refuse('NetStream.Publish.BadName', `invalid stream key "${key.slice(0, 64)}"`, messageStreamId);
    let streamId = key;
    if (this.ctx.authorizePublish !== undefined) {
      let decision;
      try {
        decision = resolveDecision(await this.ctx.authorizePublish(key, { streamKey: key, app: this.app, protocol: 'rtmp', remoteAddress: this.remoteAddress, query }), key);
      } catch (err) {
        this.log.error({ err }, 'authorizePublish hook threw; refusing the publish');
        decision = { allow: false, streamId: key, reason: 'authorization failed' };
      }
      if (this.closed) return;
      if (!decision.allow) return this.refuse('NetStream.Publish.Unauthorized', decision.reason ?? 'publishing with this key is not allowed', messageStreamId);
      streamId = decision.streamId;
    }
    try {
      const encoder = this.connectEncoder;
      const stream = this.ctx.registry.claim(streamId, { protocol: 'rtmp', remoteAddress: this.remoteAddress, ...(encoder !== undefined ? { encoder } : {}) });
      const publishing = new RtmpPublishing(stream, messageStreamId, this.log);
      this.publishing = publishing;
      // Ended from outside (an admin's stop, a failure): tell the encoder and hang up, so it does
      // not keep sending into a stream nobody serves.
      stream.on('state', (_from, to) => {
        if ((to !== 'ENDED' && to !== 'FAILED') || this.publishing !== publishing || this.closed) return;
        this.publishing = undefined;
        this.write(onStatusMessage('status', 'NetStream.Unpublish.Success', `${streamId} was stopped by the server`, messageStreamId, this.outChunkSize));
        this.log.info({ stream_id: streamId, state: to }, 'publish stopped by the server');
        this.end();
      });
    } catch (err) {
      if (err instanceof StreamAlreadyPublishingError) return this.refuse('NetStream.Publish.BadName', `stream ${streamId} is already being published`, messageStreamId);
      throw err;
    }
    this.lastMediaAt = performance.now();
    this.write(streamBegin(messageStreamId));
    this.write(onStatusMessage('status', 'NetStream.Publish.Start', `${streamId} is now published`, messageStreamId, this.outChunkSize, { details: streamId }));
    this.log.info({ stream_id: streamId, app: this.app }, 'publish started');
  }

  private onPlay(cmd: RtmpCommand, messageStreamId: number): void {
    const raw = typeof cmd.args[0] === 'string' ? cmd.args[0] : '';
    const { name, query } = splitQuery(raw);
    if (this.ctx.authorizePlay !== undefined) {
      // Before the existence check, so a refused player cannot learn whether a private stream is live.
      const decision = this.ctx.authorizePlay({ streamId: name, protocol: 'rtmp', remoteAddress: this.remoteAddress, token: query['token'] });
      if (!decision.allow) {
        const code = decision.status === 404 ? 'NetStream.Play.StreamNotFound' : 'NetStream.Play.Failed';
        this.write(onStatusMessage('error', code, `play refused (${decision.status}): ${decision.reason}`, messageStreamId, this.outChunkSize));
        this.log.info({ stream_id: name, status: decision.status }, 'play refused: not authorized');
        this.end();
        return;
      }
    }
    const stream = this.ctx.registry.get(name);
    if (stream === undefined || (stream.state !== 'LIVE' && stream.state !== 'STARTING' && stream.state !== 'PAUSED')) {
      this.write(onStatusMessage('error', 'NetStream.Play.StreamNotFound', `stream ${name.slice(0, 64)} is not live`, messageStreamId, this.outChunkSize));
      this.log.info({ stream_id: name }, 'play refused: stream not found');
      this.end();
      return;
    }
    this.playbacks.get(messageStreamId)?.subscription?.unsubscribe();
    const shared = messageStreamId === this.ctx.sharedFormat.messageStreamId && this.outChunkSize === this.ctx.sharedFormat.chunkSize;
    const format = shared ? this.ctx.sharedFormat : new RtmpFrameFormat(this.outChunkSize, messageStreamId, false);
    const playback = new RtmpPlayback(this, stream, format);
    this.write(streamBegin(messageStreamId));
    this.write(onStatusMessage('status', 'NetStream.Play.Reset', `resetting ${name}`, messageStreamId, this.outChunkSize, { details: name }));
    this.write(onStatusMessage('status', 'NetStream.Play.Start', `started playing ${name}`, messageStreamId, this.outChunkSize, { details: name }));
    this.write(dataMessage(['|RtmpSampleAccess', true, true], messageStreamId, this.outChunkSize));
    playback.subscription = stream.subscribe({ id: this.id, protocol: 'rtmp', format, sink: playback, remoteAddress: this.remoteAddress });
    this.playbacks.set(messageStreamId, playback);
    this.log.info({ stream_id: name }, 'play started');
  }

  private onStreamClosed(messageStreamId: number): void {
    if (this.publishing !== undefined && this.publishing.messageStreamId === messageStreamId) {
      const publishing = this.publishing;
      this.publishing = undefined;
      this.log.info({ stream_id: publishing.stream.id }, 'publish ended');
      publishing.stream.end('publisher-left');
    }
    const playback = this.playbacks.get(messageStreamId);
    if (playback !== undefined) {
      playback.subscription?.unsubscribe();
      this.playbacks.delete(messageStreamId);
    }
  }
}
