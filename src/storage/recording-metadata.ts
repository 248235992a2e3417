import type { AudioTrackInfo, VideoTrackInfo } from '../media/index.js';
import type { RecordingFormat } from './part-writer.js';

/** One stored file of a recording. */
export interface RecordingFile {
  format: RecordingFormat;
  /** Storage key. */
  key: string;
  bytes: number;
  contentType: string;
}

/** One stored thumbnail of a recording. */
export interface RecordingThumbnail {
  key: string;
  format: 'jpg' | 'webp';
  width: number;
  height: number;
  /** Position in the recording, ms. */
  atMs: number;
}

/** What is known of a finished recording: the JSON stored beside its files and served by the API. */
export interface RecordingMetadata {
  id: string;
  streamId: string;
  /** 1-based part number when the stream was split (every N minutes or at a codec change). */
  part: number;
  /** `complete` when finished normally, `recovered` when finalised after a crash or a failure. */
  status: 'complete' | 'recovered';
  startedAt: string;
  endedAt: string;
  durationMs: number;
  /** Bytes of all files together. */
  bytes: number;
  video: Pick<VideoTrackInfo, 'codec' | 'codecString' | 'width' | 'height' | 'fps'> | null;
  audio: Pick<AudioTrackInfo, 'codec' | 'codecString' | 'sampleRate' | 'channels'> | null;
  files: RecordingFile[];
  thumbnails: RecordingThumbnail[];
  watermarked: boolean;
}

/** Where a recording's metadata lives in storage. */
export function metadataKey(id: string): string {
  return `recordings/${id}.json`;
}

/** Where a recording's file of one format lives in storage. */
export function fileKey(id: string, format: RecordingFormat): string {
  return `recordings/${id}.${format}`;
}

/** Where a recording's thumbnails live: a folder of their own, so listing recordings stays short. */
export function thumbnailKey(id: string, index: number, width: number, height: number, format: string): string {
  return `thumbnails/${id}/${String(index).padStart(5, '0')}-${width}x${height}.${format}`;
}

/** The recording id a metadata key belongs to, or undefined for other keys. */
export function idOfMetadataKey(key: string): string | undefined {
  const m = /^recordings\/([^/]+)\.json$/.exec(key);
  return m?.[1];
}

const ID_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,200}$/;

/** True for strings that can be recording ids (so a request id never reaches storage unchecked). */
export function isRecordingId(id: string): boolean {
  return ID_PATTERN.test(id) && !id.includes('..');
}

/** A new recording id: the stream id, the UTC start time to the second, the part number and a random tag. */
export function newRecordingId(streamId: string, startedAtMs: number, part: number, random: string): string {
  const stamp = new Date(startedAtMs).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${streamId}_${stamp}_p${part}_${random}`;
}
