import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ZenLiveError } from './errors.js';

/** A file the server serves is missing from the installed package (a packaging mistake); start-up stops. */
export class StaticAssetMissingError extends ZenLiveError {
  readonly code = 'STATIC_ASSET_MISSING';
  constructor(
    readonly path: string,
    options?: ErrorOptions,
  ) {
    super(`asset ${path} cannot be read; is it shipped with the package?`, options);
  }
}

/** A file read once at start-up and served from memory, with an ETag and a gzip copy. */
export interface StaticAsset {
  readonly etag: string;
  send(req: FastifyRequest, reply: FastifyReply): FastifyReply;
}

/** Reads `path` now (failing start-up loudly if it is missing) and serves it with `contentType` and `cacheControl`. */
export function loadStaticAsset(path: string, contentType: string, cacheControl: string): StaticAsset {
  let body: Buffer;
  try {
    body = readFileSync(path);
  } catch (err) {
    throw new StaticAssetMissingError(path, { cause: err });
  }
  const gzipped = gzipSync(body, { level: 9 });
  const etag = `"${createHash('sha1').update(body).digest('base64url').slice(0, 20)}"`;
  return {
    etag,
    send(req, reply) {
      reply.header('content-type', contentType).header('cache-control', cacheControl).header('etag', etag).header('vary', 'accept-encoding');
      reply.header('x-content-type-options', 'nosniff');
      if (req.headers['if-none-match'] === etag) return reply.code(304).send();
      // hls.min.js is 600 KB and a third of that gzipped: worth it on a viewer's first visit
      if (/\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) return reply.header('content-encoding', 'gzip').send(gzipped);
      return reply.send(body);
    },
  };
}
