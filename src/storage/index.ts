export type { Storage, StoredObject, ObjectDownload, ByteRange, ListPage, ListOptions, PutOptions } from './storage.js';
export { contentTypeOf } from './storage.js';
export { safeKey, safePrefix } from './path-safety.js';
export { LocalStorage, type LocalStorageOptions } from './local-storage.js';
export { S3Storage, type S3StorageOptions } from './s3-storage.js';
export { createStorage, type StorageSettings } from './create-storage.js';
export {
  StoragePathError,
  StorageNotFoundError,
  StorageRangeError,
  StorageBackendError,
  RecordingNotFoundError,
  RecordingFailedError,
  RecordingBackpressureError,
  FfmpegJobError,
} from './errors.js';
export { Recorder, type RecorderOptions, type RecordingEvent } from './recorder.js';
export type { RecordingFormat } from './part-writer.js';
export { RecordingCatalog, type RecordingPage } from './recording-catalog.js';
export type { RecordingMetadata, RecordingFile, RecordingThumbnail } from './recording-metadata.js';
export { RetentionSweeper, type RetentionOptions } from './retention.js';
export { ThumbnailService, type ThumbnailServiceOptions } from './thumbnail-service.js';
export { Thumbnailer, type Thumbnail, type ThumbnailFormat, type ThumbnailSize } from './thumbnailer.js';
export { buildWatermarkFilter, filterValue, type Watermark, type ImageWatermark, type TextWatermark, type WatermarkPosition, type WatermarkFilter } from './watermark.js';
export { applyWatermark, type ApplyWatermarkOptions } from './apply-watermark.js';
export { finaliseMp4, type FinalisedMp4 } from './mp4-finalizer.js';
export { registerRecordingRoutes, type RecordingRoutesOptions } from './routes.js';
export { HlsOffload, hlsObjectHeaders, type HlsOffloadOptions } from './hls-offload.js';
