import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type TestBrowser } from './helpers/browser.js';
import { startTestServer, waitFor, type TestServer } from './helpers/server.js';

// Page scripts are strings: the test transpiler may add helpers that do not exist in the page.
// Joins `room` with the shipped client, publishes the fake camera and a tone (each page its own
// pitch), and keeps every received participant in a <video> so Chromium decodes and plays it.
const JOIN_AND_PUBLISH = `async ({ room, name, hz, video }) => {
  const { ZenLiveRoom } = await import('/rtc/zenlive-rtc.js');
  const media = video ? await navigator.mediaDevices.getUserMedia({ video: { width: 320, height: 240, frameRate: 15 }, audio: false }) : new MediaStream();
  const ctx = new AudioContext();
  const osc = ctx.createOscillator();
  osc.frequency.value = hz;
  const dest = ctx.createMediaStreamDestination();
  osc.connect(dest);
  osc.start();
  media.addTrack(dest.stream.getAudioTracks()[0]);
  const client = new ZenLiveRoom('ws://' + location.host + '/ws/rtc');
  window.zlEvents = [];
  window.zlReceived = new Map();
  for (const t of ['participantJoined', 'participantLeft', 'tracks', 'activeSpeaker', 'subscriptionEnded', 'error']) {
    client.addEventListener(t, (e) => window.zlEvents.push({ type: t, detail: e.detail }));
  }
  client.addEventListener('track', (e) => {
    const { participantId, stream, pc } = { ...e.detail, pc: client.subscriptions.get(e.detail.subscription)?.pc };
    let el = window.zlReceived.get(participantId)?.el;
    if (!el) {
      el = document.createElement('video');
      el.autoplay = true; el.playsInline = true;
      document.body.appendChild(el);
    }
    el.srcObject = stream;
    window.zlReceived.set(participantId, { el, subscription: e.detail.subscription });
  });
  const joined = await client.join(room, { name });
  await client.publish(media);
  window.zlClient = client;
  return { me: joined.participant.id, others: joined.participants.map((p) => p.id) };
}`;

// What this page receives from each other participant, read from its subscription peers' stats.
const RECEIVED = `async () => {
  const out = {};
  for (const s of window.zlClient.subscriptions.values()) {
    const r = { framesDecoded: 0, audioEnergy: 0, audioPackets: 0, height: 0, state: s.pc.connectionState };
    (await s.pc.getStats()).forEach((x) => {
      if (x.type !== 'inbound-rtp') return;
      if (x.kind === 'video') { r.framesDecoded = x.framesDecoded || 0; r.height = x.frameHeight || 0; }
      if (x.kind === 'audio') { r.audioEnergy = x.totalAudioEnergy || 0; r.audioPackets = x.packetsReceived || 0; }
    });
    out[s.participantId] = r;
  }
  return out;
}`;

interface Received {
  framesDecoded: number;
  audioEnergy: number;
  audioPackets: number;
  height: number;
  state: string;
}

async function received(page: Page): Promise<Record<string, Received>> {
  return (await page.evaluate(`(${RECEIVED})()`)) as Record<string, Received>;
}

describe('WebRTC rooms in Chromium', () => {
  let browser: TestBrowser;
  let server: TestServer | undefined;

  beforeAll(async () => {
    browser = await launchChromium();
  });

  afterEach(async () => {
    for (const p of browser.context.pages()) await p.close();
    await server?.stop();
    server = undefined;
  });

  afterAll(async () => {
    await browser?.close();
  });

  async function openPage(s: TestServer): Promise<Page> {
    const { page } = await browser.newPage();
    // same origin as /ws/rtc and the client script; 127.0.0.1 is a secure context for getUserMedia
    await page.goto(s.httpUrl('/healthz'));
    return page;
  }

  it.each(['native', 'werift'] as const)('a three-party call with subscribers on %s: everyone receives the other two, video and audio, and hears who is speaking', async (transport) => {
    server = await startTestServer({ streaming: { enable_webrtc: true, webrtc: { bind_address: '127.0.0.1', room_subscriber_transport: transport } } });
    const s = server;
    const pages = [await openPage(s), await openPage(s), await openPage(s)];
    const ids: string[] = [];
    for (const [i, page] of pages.entries()) {
      const joined = (await page.evaluate(`(${JOIN_AND_PUBLISH})(${JSON.stringify({ room: 'call', name: `p${i}`, hz: 300 + 200 * i, video: true })})`)) as { me: string; others: string[] };
      expect(joined.others.sort()).toEqual([...ids].sort());
      ids.push(joined.me);
    }
    for (const [i, page] of pages.entries()) {
      const others = ids.filter((_, j) => j !== i).sort();
      let last: Record<string, Received> = {};
      try {
        await waitFor(async () => {
          last = await received(page);
          return others.every((id) => (last[id]?.framesDecoded ?? 0) > 15 && (last[id]?.audioEnergy ?? 0) > 0);
        }, `participant ${i} to decode video and hear audio from both others`, 45_000);
      } catch (err) {
        throw new Error(`participant ${i}: ${JSON.stringify(last)}`, { cause: err });
      }
      expect(Object.keys(last).sort()).toEqual(others);
      for (const id of others) expect(last[id]?.height).toBe(240);
    }

    // The room API sees three participants, each publishing audio + video and receiving two.
    const room = (await (await fetch(s.httpUrl('/api/v1/rooms/call'))).json()) as { participants: { id: string; tracks: { kind: string }[]; subscriptions: { videoPacketsSent: number; audioPacketsSent: number }[] }[] };
    expect(room.participants.map((p) => p.id).sort()).toEqual([...ids].sort());
    for (const p of room.participants) {
      expect(p.tracks.map((t) => t.kind).sort()).toEqual(['audio', 'video']);
      expect(p.subscriptions).toHaveLength(2);
      for (const sub of p.subscriptions) {
        expect(sub.videoPacketsSent).toBeGreaterThan(0);
        expect(sub.audioPacketsSent).toBeGreaterThan(0);
      }
    }

    // Everyone plays a tone, so someone is the active speaker and every page is told who.
    await waitFor(async () => {
      const seen = await Promise.all(pages.map((p) => p.evaluate(`window.zlEvents.filter((e) => e.type === 'activeSpeaker').map((e) => e.detail.participantId)`) as Promise<(string | null)[]>));
      return seen.every((list) => list.some((id) => id !== null && ids.includes(id)));
    }, 'an active speaker announced to everyone', 15_000);

    // One leaves: the other two are told, and their subscriptions to it end.
    await pages[2]?.evaluate('window.zlClient.leave()');
    const gone = ids[2] as string;
    for (const page of pages.slice(0, 2)) {
      await waitFor(async () => (await page.evaluate(`window.zlEvents.some((e) => e.type === 'participantLeft' && e.detail.participantId === ${JSON.stringify(gone)})`)) as boolean, 'participantLeft', 10_000);
      await waitFor(async () => !Object.keys(await received(page)).includes(gone), 'the subscription to the one who left to end', 10_000);
    }
    const after = (await (await fetch(s.httpUrl('/api/v1/rooms/call'))).json()) as { participants: unknown[] };
    expect(after.participants).toHaveLength(2);
    // three browsers encoding and decoding on two busy cores take their time
  }, 150_000);

  it('rooms spread over two worker processes: two calls at once, each on its own worker, both heard and seen', async () => {
    server = await startTestServer({ streaming: { enable_webrtc: true, webrtc: { bind_address: '127.0.0.1', room_workers: 2 } } });
    const s = server;
    const calls = [
      { room: 'left', video: true, pages: [await openPage(s), await openPage(s)] },
      { room: 'right', video: false, pages: [await openPage(s), await openPage(s)] },
    ];
    const ids = new Map<Page, string>();
    for (const call of calls) {
      for (const [i, page] of call.pages.entries()) {
        const joined = (await page.evaluate(`(${JOIN_AND_PUBLISH})(${JSON.stringify({ room: call.room, name: `${call.room}${i}`, hz: 350 + 250 * i, video: call.video })})`)) as { me: string };
        ids.set(page, joined.me);
      }
    }
    for (const call of calls) {
      for (const [i, page] of call.pages.entries()) {
        const other = ids.get(call.pages[1 - i] as Page) as string;
        let last: Record<string, Received> = {};
        await waitFor(async () => {
          last = await received(page);
          const r = last[other];
          return (r?.audioEnergy ?? 0) > 0 && (!call.video || (r?.framesDecoded ?? 0) > 15);
        }, `${call.room} participant ${i} to receive the other`, 45_000).catch((err: unknown) => {
          throw new Error(`${call.room} ${i}: ${JSON.stringify(last)}`, { cause: err });
        });
      }
    }
    // New rooms go to the least busy worker: the two calls are on different threads.
    const list = (await (await fetch(s.httpUrl('/api/v1/rooms'))).json()) as { items: { id: string; worker: number; participants: unknown[] }[] };
    const byRoom = new Map(list.items.map((r) => [r.id, r]));
    expect(byRoom.get('left')?.participants).toHaveLength(2);
    expect(byRoom.get('right')?.participants).toHaveLength(2);
    expect(new Set([byRoom.get('left')?.worker, byRoom.get('right')?.worker])).toEqual(new Set([0, 1]));
    const one = (await (await fetch(s.httpUrl('/api/v1/rooms/right'))).json()) as { worker: number; participants: { tracks: { kind: string }[] }[] };
    expect(one.worker).toBe(byRoom.get('right')?.worker);
    for (const p of one.participants) expect(p.tracks.map((t) => t.kind)).toEqual(['audio']);
  }, 150_000);

  it('an audio-only 1-1 call', async () => {
    server = await startTestServer({ streaming: { enable_webrtc: true, webrtc: { bind_address: '127.0.0.1' } } });
    const s = server;
    const a = await openPage(s);
    const b = await openPage(s);
    const ja = (await a.evaluate(`(${JOIN_AND_PUBLISH})(${JSON.stringify({ room: 'phone', name: 'a', hz: 440, video: false })})`)) as { me: string };
    const jb = (await b.evaluate(`(${JOIN_AND_PUBLISH})(${JSON.stringify({ room: 'phone', name: 'b', hz: 660, video: false })})`)) as { me: string };
    for (const [page, other] of [[a, jb.me], [b, ja.me]] as const) {
      await waitFor(async () => ((await received(page))[other]?.audioEnergy ?? 0) > 0, 'audio from the other side', 45_000).catch(async (err: unknown) => {
        const room = await (await fetch(s.httpUrl('/api/v1/rooms/phone'))).json();
        throw new Error(`received ${JSON.stringify(await received(page))}; room ${JSON.stringify(room)}; events ${JSON.stringify(await page.evaluate('window.zlEvents'))}`, { cause: err });
      });
      const r = (await received(page))[other];
      expect(r?.framesDecoded).toBe(0);
    }
    const room = (await (await fetch(s.httpUrl('/api/v1/rooms/phone'))).json()) as { participants: { tracks: { kind: string }[] }[] };
    for (const p of room.participants) expect(p.tracks.map((t) => t.kind)).toEqual(['audio']);
  }, 120_000);
});
