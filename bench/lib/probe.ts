import { RtmpClient } from '../../src/protocols/rtmp/index.js';

/**
 * How many of `urls` deliver a video frame to a player within `timeoutMs`: proof that each
 * publisher of an ingest run really reached the server, asked after the measurement window.
 */
export async function countLiveStreams(urls: readonly string[], timeoutMs = 10_000): Promise<number> {
  const results = await Promise.all(urls.map((url) => probe(url, timeoutMs)));
  return results.filter(Boolean).length;
}

async function probe(url: string, timeoutMs: number): Promise<boolean> {
  let client: RtmpClient | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    client = await RtmpClient.connect(url, { digest: false, timeoutMs });
    const c = client;
    const gotVideo = new Promise<boolean>((resolve) => {
      c.onMediaMessage = (m) => {
        if (m.typeId === 9) resolve(true);
      };
      c.once('close', () => resolve(false));
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    await c.play();
    return await gotVideo;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
    client?.close();
  }
}
