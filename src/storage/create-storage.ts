import { LocalStorage } from './local-storage.js';
import { S3Storage } from './s3-storage.js';
import type { Storage } from './storage.js';

/** The storage section of the config, camelCased. */
export interface StorageSettings {
  type: 'none' | 'local' | 's3';
  local: { path: string };
  s3: { bucket: string; region: string; endpoint: string; forcePathStyle: boolean; accessKeyId: string; secretAccessKey: string };
}

/** Builds the configured storage; undefined for type "none" (recording and offload are then off). */
export function createStorage(settings: StorageSettings): Storage | undefined {
  switch (settings.type) {
    case 'none':
      return undefined;
    case 'local':
      return new LocalStorage({ root: settings.local.path });
    case 's3':
      return new S3Storage({
        bucket: settings.s3.bucket,
        region: settings.s3.region,
        endpoint: settings.s3.endpoint,
        forcePathStyle: settings.s3.forcePathStyle,
        accessKeyId: settings.s3.accessKeyId,
        secretAccessKey: settings.s3.secretAccessKey,
      });
  }
}
