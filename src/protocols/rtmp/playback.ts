import type { ByteSink, Stream, Subscription, SubscriberEndReason } from '../../hub/index.js';
import { onStatusMessage } from './commands.js';
import { streamEof } from './control-messages.js';
import type { RtmpFrameFormat } from './rtmp-format.js';

/** The slice of a connection a playback needs: write bytes, know the backlog, close. */
export interface PlaybackConnection {
  write(bytes: Buffer): void;
  readonly socket: { readonly writableLength: number };
  end(): void;
  abort(error: Error): void;
}

/** One RTMP player of a hub stream: the ByteSink the hub writes to, and the end-of-stream courtesy. */
export class RtmpPlayback implements ByteSink {
  subscription: Subscription | undefined;

  constructor(
    private readonly connection: PlaybackConnection,
    readonly stream: Stream,
    readonly format: RtmpFrameFormat,
  ) {}

  write(chunk: Buffer): void {
    this.connection.write(chunk);
  }

  get bufferedBytes(): number {
    return this.connection.socket.writableLength;
  }

  close(reason: SubscriberEndReason): void {
    const msid = this.format.messageStreamId;
    const size = this.format.chunkSize;
    if (reason === 'unsubscribed') return;
    if (reason === 'too-slow') {
      this.connection.abort(new Error('player could not keep up with the stream'));
      return;
    }
    // ffmpeg and Flash stop reading cleanly on UnpublishNotify / Play.Stop; then we hang up.
    this.connection.write(streamEof(msid));
    this.connection.write(onStatusMessage('status', 'NetStream.Play.UnpublishNotify', `${this.stream.id} is now unpublished`, msid, size));
    this.connection.write(onStatusMessage('status', 'NetStream.Play.Stop', `stopped playing ${this.stream.id}`, msid, size));
    this.connection.end();
  }
}
