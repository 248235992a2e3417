import { connect as netConnect, type Socket } from 'node:net';
import { silentLogger, type Logger } from '../../base/index.js';
import { decodeAmf0, encodeAmf0, type AmfObject, type AmfValue } from './amf/index.js';
import { DEFAULT_CHUNK_READER_LIMITS, encodeChunks } from './chunk/index.js';
import { commandMessage, toCommand, type RtmpCommand } from './commands.js';
import { RtmpConnection } from './connection.js';
import { RtmpProtocolError, RtmpRefusedError, RtmpTimeoutError } from './errors.js';
import { ClientHandshake, type HandshakeStep } from './handshake/index.js';
import { ChunkStreamId, MessageType, type RtmpMessage } from './message-types.js';

/** Settings for an outgoing RTMP connection. */
export interface RtmpClientOptions {
  /** Chunk size we publish with. */
  chunkSize?: number;
  /** Digest ("complex") handshake like Flash and ffmpeg; plain when false. */
  digest?: boolean;
  timeoutMs?: number;
  logger?: Logger;
}

/** A parsed rtmp:// URL: host, port, app and stream name. */
export interface RtmpUrl {
  host: string;
  port: number;
  app: string;
  name: string;
  tcUrl: string;
}

/** Splits rtmp://host[:port]/app/name into its parts (the name may be empty for connect-only use). */
export function parseRtmpUrl(url: string): RtmpUrl {
  const u = new URL(url);
  if (u.protocol !== 'rtmp:') throw new RtmpProtocolError(`not an rtmp:// URL: ${url}`);
  const [app = '', ...rest] = u.pathname.replace(/^\/+/, '').split('/');
  const port = u.port === '' ? 1935 : Number(u.port);
  return { host: u.hostname, port, app, name: rest.join('/') + u.search, tcUrl: `rtmp://${u.host}/${app}` };
}

/**
 * An RTMP client that publishes or plays one stream: used for relays between nodes, for the
 * benchmarks' load generator and by tests. Media arrives as `media` events (raw messages, so a
 * load generator pays nothing to parse what it only counts).
 */
export class RtmpClient extends RtmpConnection {
  private readonly shake: ClientHandshake;
  private nextTransaction = 1;
  private readonly pending = new Map<number, { resolve: (c: RtmpCommand) => void; reject: (e: Error) => void }>();
  private statusWaiter: { codes: readonly string[]; resolve: (info: AmfObject) => void; reject: (e: Error) => void } | undefined;
  private messageStreamId = 0;
  private readonly ready: Promise<void>;
  private readyResolve!: () => void;
  onMediaMessage: ((message: RtmpMessage) => void) | undefined;
  onStatus: ((info: AmfObject) => void) | undefined;

  private constructor(
    socket: Socket,
    readonly url: RtmpUrl,
    private readonly options: RtmpClientOptions,
  ) {
    const timeoutMs = options.timeoutMs ?? 10_000;
    super(socket, { limits: DEFAULT_CHUNK_READER_LIMITS, handshakeTimeoutMs: timeoutMs, idleTimeoutMs: Math.max(timeoutMs, 30_000) }, options.logger ?? silentLogger());
    this.shake = new ClientHandshake({ digest: options.digest ?? true });
    this.ready = new Promise((resolve) => (this.readyResolve = resolve));
    socket.once('connect', () => socket.write(this.shake.start()));
    this.once('close', (err) => this.failPending(err ?? new RtmpProtocolError('connection closed')));
  }

  /** Opens the TCP connection, does the handshake and the `connect` command. */
  static async connect(url: string, options: RtmpClientOptions = {}): Promise<RtmpClient> {
    const parsed = parseRtmpUrl(url);
    const socket = netConnect({ host: parsed.host, port: parsed.port });
    const client = new RtmpClient(socket, parsed, options);
    try {
      await client.withTimeout(client.ready, 'handshake');
      await client.call('connect', { app: parsed.app, type: 'nonprivate', flashVer: 'FMLE/3.0 (compatible; ZenLive)', tcUrl: parsed.tcUrl, fourCcList: ['avc1', 'hvc1', 'av01'] });
    } catch (err) {
      client.abort(err as Error);
      throw err;
    }
    return client;
  }

  /** createStream + publish; resolves on NetStream.Publish.Start, rejects with the server's refusal. */
  async publish(name = this.url.name): Promise<void> {
    const chunkSize = this.options.chunkSize ?? 4096;
    this.setOutChunkSize(chunkSize);
    this.messageStreamId = await this.createStream();
    const started = this.waitStatus(['NetStream.Publish.Start']);
    this.write(commandMessage('publish', 0, null, [name, 'live'], this.messageStreamId, this.outChunkSize));
    await this.withTimeout(started, 'publish');
  }

  /** createStream + play; resolves on NetStream.Play.Start. Media then flows to `onMediaMessage`. */
  async play(name = this.url.name): Promise<void> {
    this.messageStreamId = await this.createStream();
    const started = this.waitStatus(['NetStream.Play.Start']);
    this.write(commandMessage('play', 0, null, [name, -2000], this.messageStreamId, this.outChunkSize));
    await this.withTimeout(started, 'play');
  }

  /** Sends one FLV-bodied audio (8) or video (9) message while publishing. */
  sendMedia(typeId: 8 | 9, timestamp: number, body: Buffer): void {
    const csid = typeId === MessageType.Video ? ChunkStreamId.Video : ChunkStreamId.Audio;
    this.write(encodeChunks(csid, typeId, timestamp, this.messageStreamId, body, this.outChunkSize));
  }

  /** Sends @setDataFrame onMetaData while publishing. */
  sendMetadata(metadata: AmfValue): void {
    const payload = encodeAmf0(['@setDataFrame', 'onMetaData', metadata]);
    this.write(encodeChunks(ChunkStreamId.Data, MessageType.DataAmf0, 0, this.messageStreamId, payload, this.outChunkSize));
  }

  /** Politely ends publishing or playing, then closes. */
  close(): void {
    if (this.closed) return;
    if (this.messageStreamId > 0) this.write(commandMessage('deleteStream', 0, null, [this.messageStreamId], 0, this.outChunkSize));
    this.end();
  }

  protected handshake(bytes: Buffer): HandshakeStep {
    return this.shake.push(bytes);
  }

  protected onHandshakeDone(): void {
    this.readyResolve();
  }

  protected onMessage(message: RtmpMessage): void {
    const t = message.typeId;
    if (t === MessageType.Audio || t === MessageType.Video || t === MessageType.DataAmf0) {
      this.onMediaMessage?.(message);
      return;
    }
    if (t !== MessageType.CommandAmf0 && t !== MessageType.CommandAmf3) return;
    const body = t === MessageType.CommandAmf3 ? message.payload.subarray(1) : message.payload;
    const cmd = toCommand(decodeAmf0(body));
    if (cmd === undefined) return;
    if (cmd.name === '_result' || cmd.name === '_error') {
      const waiter = this.pending.get(cmd.transactionId);
      this.pending.delete(cmd.transactionId);
      if (cmd.name === '_result') waiter?.resolve(cmd);
      else waiter?.reject(refusal(cmd.args[0]));
    } else if (cmd.name === 'onStatus') {
      const info = (cmd.args[0] ?? {}) as AmfObject;
      this.onStatus?.(info);
      const w = this.statusWaiter;
      if (w === undefined) return;
      if (w.codes.includes(String(info['code']))) {
        this.statusWaiter = undefined;
        w.resolve(info);
      } else if (info['level'] === 'error') {
        this.statusWaiter = undefined;
        w.reject(refusal(info));
      }
    }
  }

  protected onClosed(): void {}

  private async createStream(): Promise<number> {
    const result = await this.call('createStream', null);
    const id = result.args[0];
    if (typeof id !== 'number') throw new RtmpProtocolError('createStream returned no stream id');
    return id;
  }

  private call(name: string, commandObject: AmfValue, ...args: AmfValue[]): Promise<RtmpCommand> {
    const txn = this.nextTransaction++;
    const result = new Promise<RtmpCommand>((resolve, reject) => this.pending.set(txn, { resolve, reject }));
    this.write(commandMessage(name, txn, commandObject, args, 0, this.outChunkSize));
    return this.withTimeout(result, name);
  }

  private waitStatus(codes: readonly string[]): Promise<AmfObject> {
    return new Promise((resolve, reject) => (this.statusWaiter = { codes, resolve, reject }));
  }

  private withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
    const ms = this.options.timeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new RtmpTimeoutError(`${what} got no answer in ${ms} ms`)), ms);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }

  private failPending(error: Error): void {
    for (const w of this.pending.values()) w.reject(error);
    this.pending.clear();
    this.statusWaiter?.reject(error);
    this.statusWaiter = undefined;
  }
}

function refusal(info: AmfValue): RtmpRefusedError {
  const o = (info ?? {}) as AmfObject;
  return new RtmpRefusedError(String(o['code'] ?? 'error'), String(o['description'] ?? o['code'] ?? 'refused by server'));
}
