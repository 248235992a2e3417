import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { WatchAssetMissingError } from './errors.js';

/** Where the page template lives: `web/` at the package root, three levels above both src/ and dist/ copies of this file. */
export const WATCH_TEMPLATE_PATH = fileURLToPath(new URL('../../../web/watch.html', import.meta.url));

/** What the page needs to know about the stream it plays. */
export interface WatchPageConfig {
  streamId: string;
  /** The master playlist, as a URL path. */
  playlist: string;
  /** hls.js, as a URL path. */
  hlsJs: string;
}

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] as string);
// Inside <script type="application/json">: only "</script" could end it early; escaping every "<" rules that out.
const jsonForScript = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c');

/** The watch page template, read once; `render` fills in one stream's details. */
export class WatchPage {
  private readonly template: string;

  constructor(path: string = WATCH_TEMPLATE_PATH) {
    try {
      this.template = readFileSync(path, 'utf8');
    } catch (err) {
      throw new WatchAssetMissingError(path, { cause: err });
    }
  }

  render(config: WatchPageConfig): string {
    return this.template
      .replaceAll('{{STREAM_ID}}', escapeHtml(config.streamId))
      .replaceAll('{{HLS_JS}}', escapeHtml(config.hlsJs))
      .replaceAll('{{CONFIG_JSON}}', jsonForScript(config));
  }
}
