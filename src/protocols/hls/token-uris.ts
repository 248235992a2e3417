const URI_ATTRIBUTE = /URI="([^"]*)"/g;

function addToken(uri: string, param: string): string {
  return `${uri}${uri.includes('?') ? '&' : '?'}${param}`;
}

/**
 * Adds `token=...` to every URI in a playlist: URI lines and the URI attributes of tags (map,
 * parts, preload hint, rendition reports). A private stream's viewer then keeps presenting its
 * playback token on every request without the player knowing about it.
 */
export function withPlaybackToken(playlist: string, token: string): string {
  const param = `token=${encodeURIComponent(token)}`;
  const lines = playlist.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line === '') continue;
    lines[i] = line.startsWith('#') ? line.replace(URI_ATTRIBUTE, (_m, uri: string) => `URI="${addToken(uri, param)}"`) : addToken(line, param);
  }
  return lines.join('\n');
}
