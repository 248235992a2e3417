import { buildFlvBody, buildFlvFileHeader, buildFlvTag, FlvTagType, type MediaFrame } from '../media/index.js';
import type { PartTracks, PartWriter } from './part-writer.js';
import { QueuedFileWriter } from './queued-file-writer.js';

/** Options of FlvPartWriter. */
export interface FlvPartWriterOptions {
  path: string;
  tracks: PartTracks;
  maxQueuedBytes: number;
}

/** Writes a part as an FLV file: header, onMetaData, sequence headers at 0, then every frame as a tag. */
export class FlvPartWriter implements PartWriter {
  readonly format = 'flv' as const;
  readonly path: string;
  private readonly file: QueuedFileWriter;
  private readonly hasVideo: boolean;
  private readonly hasAudio: boolean;

  constructor(options: FlvPartWriterOptions) {
    this.path = options.path;
    const { video, audio, metadata } = options.tracks;
    this.hasVideo = video !== undefined;
    this.hasAudio = audio !== undefined;
    this.file = new QueuedFileWriter({ path: options.path, maxQueuedBytes: options.maxQueuedBytes });
    const head = [buildFlvFileHeader({ audio: this.hasAudio, video: this.hasVideo })];
    if (metadata !== undefined) head.push(buildFlvTag(FlvTagType.Script, 0, metadata.amf0));
    if (video !== undefined) head.push(buildFlvTag(FlvTagType.Video, 0, buildFlvBody({ ...video.config, dts: 0, pts: 0 })));
    if (audio !== undefined) head.push(buildFlvTag(FlvTagType.Audio, 0, buildFlvBody({ ...audio.config, dts: 0, pts: 0 })));
    this.file.write(Buffer.concat(head), true);
  }

  push(frame: MediaFrame): void {
    if (frame.config) return;
    if (frame.kind === 'video' ? !this.hasVideo : !this.hasAudio) return;
    // the body carries the composition offset (pts − dts), so it is built for the rebased frame
    const body = frame.flvBody ?? buildFlvBody(frame);
    this.file.write(buildFlvTag(frame.kind === 'video' ? FlvTagType.Video : FlvTagType.Audio, frame.dts, body));
  }

  finish(): Promise<void> {
    return this.file.close();
  }

  abort(): Promise<void> {
    return this.file.abort();
  }

  onFail(listener: (err: Error) => void): void {
    this.file.onFail(listener);
  }
}
