import { createRequire } from 'node:module';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { loadStaticAsset, type Logger } from '../../base/index.js';
import { STREAM_ID_PATTERN } from '../../hub/index.js';
import { WatchPageNotFoundError } from './errors.js';
import { WatchPage } from './watch-page.js';

/** What the watch page routes need. */
export interface WatchRoutesOptions {
  logger: Logger;
  /** URL path of a stream's master playlist; `/live/ID/index.m3u8` by default. */
  playlistPath?: (streamId: string) => string;
  /** Another page template (tests, embedders); `web/watch.html` of the package by default. */
  templatePath?: string;
}

const nodeRequire = createRequire(import.meta.url);
const HLS_JS_PATH = '/assets/hls.min.js';
// The URL carries the hls.js version, so a year-long cache never serves an old player after an upgrade.
const HLS_JS_CACHE = 'public, max-age=31536000, immutable';

function hlsJsVersion(): string {
  try {
    return (nodeRequire('hls.js/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/**
 * Adds `GET /watch/ID`, a page that plays the stream's HLS in a `<video>` with hls.js in low-latency
 * mode (native HLS where there is no MediaSource), and `GET /assets/hls.min.js`. The page loads for
 * any well-formed id, live or not: it shows "offline" and retries until the stream starts.
 */
export function registerWatchRoutes(app: FastifyInstance, options: WatchRoutesOptions): void {
  const log = options.logger.child({ component: 'watch' });
  const page = new WatchPage(options.templatePath);
  const hlsJs = loadStaticAsset(nodeRequire.resolve('hls.js/dist/hls.min.js'), 'text/javascript; charset=utf-8', HLS_JS_CACHE);
  const hlsJsUrl = `${HLS_JS_PATH}?v=${encodeURIComponent(hlsJsVersion())}`;
  const playlistPath = options.playlistPath ?? ((id: string) => `/live/${id}/index.m3u8`);

  // A wildcard, not `:id`: the router refuses parameters over 100 characters, and ids may have 128.
  app.get('/watch/*', async (req: FastifyRequest<{ Params: { '*': string } }>, reply: FastifyReply) => {
    const id = req.params['*'];
    if (!STREAM_ID_PATTERN.test(id)) throw new WatchPageNotFoundError(id);
    const html = page.render({ streamId: id, playlist: playlistPath(id), hlsJs: hlsJsUrl });
    return reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'same-origin')
      .send(html);
  });
  app.get(HLS_JS_PATH, async (req, reply) => hlsJs.send(req, reply));
  log.debug({ hls_js: hlsJsUrl }, 'watch page routes added');
}
