import { ZenLiveError } from '../base/index.js';

/** A storage key that could escape the storage root or is not a plain relative path. */
export class StoragePathError extends ZenLiveError {
  readonly code = 'STORAGE_INVALID_PATH';

  constructor(
    readonly key: string,
    readonly reason: string,
  ) {
    super(`storage path refused: ${reason}`);
  }
}

/** No object under this key. */
export class StorageNotFoundError extends ZenLiveError {
  readonly code = 'STORAGE_NOT_FOUND';

  constructor(
    readonly key: string,
    options?: ErrorOptions,
  ) {
    super(`no stored object at ${key.slice(0, 200)}`, options);
  }
}

/** A byte range a stored object cannot satisfy (HTTP 416). */
export class StorageRangeError extends ZenLiveError {
  readonly code = 'STORAGE_RANGE_NOT_SATISFIABLE';

  constructor(
    readonly key: string,
    readonly size: number,
  ) {
    super(`range not satisfiable for an object of ${size} bytes`);
  }
}

/** The back end failed (disk full, S3 unreachable, access denied). */
export class StorageBackendError extends ZenLiveError {
  readonly code = 'STORAGE_FAILED';

  constructor(
    readonly operation: string,
    readonly key: string,
    options?: ErrorOptions,
  ) {
    super(`storage ${operation} failed for ${key.slice(0, 200)}`, options);
  }
}

/** No recording with this id. */
export class RecordingNotFoundError extends ZenLiveError {
  readonly code = 'RECORDING_NOT_FOUND';

  constructor(readonly recordingId: string) {
    super(`no recording ${recordingId.slice(0, 100)}`);
  }
}

/** A recording could not go on: the disk did not keep up, a write failed, the muxer refused the input. */
export class RecordingFailedError extends ZenLiveError {
  readonly code = 'RECORDING_FAILED';

  constructor(
    readonly recordingId: string,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`recording ${recordingId} failed: ${reason}`, options);
  }
}

/** The writer's queue passed its byte budget: the disk is slower than the stream. */
export class RecordingBackpressureError extends ZenLiveError {
  readonly code = 'RECORDING_DISK_TOO_SLOW';

  constructor(
    readonly queuedBytes: number,
    readonly limitBytes: number,
  ) {
    super(`recording write queue reached ${queuedBytes} bytes (limit ${limitBytes})`);
  }
}

/** ffmpeg could not make a thumbnail or apply a watermark. */
export class FfmpegJobError extends ZenLiveError {
  readonly code = 'STORAGE_FFMPEG_FAILED';

  constructor(
    readonly job: string,
    readonly stderr: string,
    options?: ErrorOptions,
  ) {
    super(`ffmpeg ${job} failed: ${stderr.trim().split('\n').slice(-3).join(' | ').slice(0, 500)}`, options);
  }
}
