import type { AudioTrackInfo, MediaFrame, MetadataFrame, VideoTrackInfo } from '../media/index.js';

/** Container formats a recording can be written in. */
export type RecordingFormat = 'mp4' | 'flv';

/** The tracks of one recorded part, fixed when the part starts (a new config starts a new part). */
export interface PartTracks {
  video?: { config: MediaFrame; info: VideoTrackInfo };
  audio?: { config: MediaFrame; info: AudioTrackInfo };
  /** The publisher's latest onMetaData, written at the start of FLV parts. */
  metadata?: MetadataFrame;
}

/** Writes one part of a recording to a temp file while the stream runs. */
export interface PartWriter {
  readonly format: RecordingFormat;
  /** The temp file being written. */
  readonly path: string;
  /** Takes a media frame whose timestamps already count from the part's start; never blocks. */
  push(frame: MediaFrame): void;
  /** Writes what is buffered and closes the file; rejects if the writer failed. */
  finish(): Promise<void>;
  /** Drops what is buffered and closes the file. */
  abort(): Promise<void>;
  /** Called once when writing fails (disk error, disk too slow). */
  onFail(listener: (err: Error) => void): void;
}
