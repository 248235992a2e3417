import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Readable } from 'node:stream';
import { StorageBackendError, StorageNotFoundError, StorageRangeError } from './errors.js';
import { safeKey, safePrefix } from './path-safety.js';
import { contentTypeOf, resolveRange, type ByteRange, type ListOptions, type ListPage, type ObjectDownload, type PutOptions, type Storage, type StoredObject } from './storage.js';

/** Options of S3Storage; with an empty endpoint the SDK talks to AWS in `region`. */
export interface S3StorageOptions {
  bucket: string;
  region: string;
  /** e.g. `http://127.0.0.1:9000` for MinIO; empty for AWS. */
  endpoint?: string;
  /** Bucket in the path rather than the host name: MinIO and most S3-compatible servers need it. */
  forcePathStyle?: boolean;
  /** Both empty: the SDK's default chain (env, instance profile). */
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Key prefix inside the bucket, e.g. `zenlive/`. */
  prefix?: string;
  /** Multipart part size in bytes (S3 minimum 5 MiB). */
  partSizeBytes?: number;
}

const DEFAULT_PART = 8 * 1024 * 1024;

/** Storage in an S3 bucket (AWS S3, MinIO and other compatible servers); large objects go up in parts. */
export class S3Storage implements Storage {
  readonly kind = 's3' as const;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly partSize: number;

  constructor(options: S3StorageOptions) {
    this.bucket = options.bucket;
    this.prefix = options.prefix ?? '';
    this.partSize = Math.max(5 * 1024 * 1024, options.partSizeBytes ?? DEFAULT_PART);
    const credentials =
      options.accessKeyId !== undefined && options.accessKeyId !== '' ? { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey ?? '' } : undefined;
    this.client = new S3Client({
      region: options.region,
      ...(options.endpoint !== undefined && options.endpoint !== '' ? { endpoint: options.endpoint } : {}),
      forcePathStyle: options.forcePathStyle ?? false,
      ...(credentials !== undefined ? { credentials } : {}),
      // checksums on every request are an AWS-only feature older S3-compatible servers reject
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async put(key: string, data: Readable | Buffer, options: PutOptions = {}): Promise<StoredObject> {
    const objectKey = this.objectKey(key);
    try {
      const upload = new Upload({
        client: this.client,
        partSize: this.partSize,
        queueSize: 2,
        leavePartsOnError: false,
        params: {
          Bucket: this.bucket,
          Key: objectKey,
          Body: data,
          ContentType: options.contentType ?? contentTypeOf(key),
          ...(options.cacheControl !== undefined ? { CacheControl: options.cacheControl } : {}),
        },
      });
      await upload.done();
    } catch (err) {
      throw new StorageBackendError('put', key, { cause: err });
    }
    const info = await this.stat(key);
    if (info === undefined) throw new StorageBackendError('put', key, { cause: new Error('object missing right after upload') });
    return info;
  }

  async get(key: string, range?: ByteRange): Promise<ObjectDownload> {
    const info = await this.stat(key);
    if (info === undefined) throw new StorageNotFoundError(key);
    const r = info.size === 0 && range === undefined ? { start: 0, end: -1 } : resolveRange(range, info.size);
    if (r === undefined) throw new StorageRangeError(key, info.size);
    try {
      const out = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key), ...(range !== undefined ? { Range: `bytes=${r.start}-${r.end}` } : {}) }),
      );
      const body = out.Body instanceof Readable ? out.Body : Readable.from([]);
      return { body, size: info.size, start: r.start, end: r.end, contentType: out.ContentType ?? contentTypeOf(key) };
    } catch (err) {
      if (isNotFound(err)) throw new StorageNotFoundError(key, { cause: err });
      throw new StorageBackendError('get', key, { cause: err });
    }
  }

  async stat(key: string): Promise<StoredObject | undefined> {
    const objectKey = this.objectKey(key);
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: objectKey }));
      return { key, size: out.ContentLength ?? 0, modifiedAt: out.LastModified?.getTime() ?? 0 };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw new StorageBackendError('stat', key, { cause: err });
    }
  }

  async delete(key: string): Promise<void> {
    const objectKey = this.objectKey(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: objectKey }));
    } catch (err) {
      if (!isNotFound(err)) throw new StorageBackendError('delete', key, { cause: err });
    }
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListPage> {
    safePrefix(prefix);
    const marker = options.cursor !== undefined ? this.objectKey(options.cursor) : undefined;
    const limit = Math.min(Math.max(options.limit ?? 1000, 1), 1000);
    try {
      // ListObjects (v1) with Marker = the last key seen: the cursor is then a plain key, as with
      // local storage, and it works with servers whose v2 continuation tokens are broken (s3rver
      // on OpenSSL 3 cannot make them)
      const out = await this.client.send(
        new ListObjectsCommand({
          Bucket: this.bucket,
          Prefix: this.prefix + prefix,
          MaxKeys: limit,
          ...(marker !== undefined ? { Marker: marker } : {}),
        }),
      );
      const objects = (out.Contents ?? []).map((o) => ({ key: (o.Key ?? '').slice(this.prefix.length), size: o.Size ?? 0, modifiedAt: o.LastModified?.getTime() ?? 0 }));
      const last = objects[objects.length - 1];
      return out.IsTruncated === true && last !== undefined ? { objects, nextCursor: last.key } : { objects };
    } catch (err) {
      throw new StorageBackendError('list', prefix, { cause: err });
    }
  }

  /** Stops the client's sockets. */
  close(): void {
    this.client.destroy();
  }

  private objectKey(key: string): string {
    return this.prefix + safeKey(key);
  }
}

function isNotFound(err: unknown): boolean {
  if (err instanceof S3ServiceException) return err.$metadata.httpStatusCode === 404 || err.name === 'NoSuchKey' || err.name === 'NotFound';
  return false;
}
