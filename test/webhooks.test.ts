import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/base/index.js';
import {
  EventBus,
  forwardBusToWebhooks,
  MemoryWebhookStore,
  verifyWebhookSignature,
  WEBHOOK_BUS_EVENT_TYPES,
  WebhookService,
  type DeliveryRecord,
  type WebhookDeliveryOptions,
  type WebhookEvent,
} from '../src/events/index.js';
import { createHttpApp, registerWebhookRoutes } from '../src/http/index.js';
import { StreamRegistry } from '../src/hub/index.js';

/** What a test receiver does with its n-th request (0-based). */
type Answer = { status: number; headers?: Record<string, string> } | 'hang';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  event: WebhookEvent;
}

/** A real HTTP endpoint on 127.0.0.1 that records every webhook POST and answers as told. */
class Receiver {
  readonly received: Received[] = [];
  /** Requests whose connection closed before we answered (we hung, they gave up). */
  abandoned = 0;
  private readonly hanging: ServerResponse[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(answer: (n: number) => Answer = () => ({ status: 200 }), port = 0): Promise<Receiver> {
    const box: { receiver?: Receiver } = {};
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const r = box.receiver!;
        const body = Buffer.concat(chunks).toString('utf8');
        const n = r.received.length;
        r.received.push({ headers: req.headers, body, event: JSON.parse(body) as WebhookEvent });
        const a = answer(n);
        if (a === 'hang') {
          r.hanging.push(res);
          res.on('close', () => {
            if (!res.writableEnded) r.abandoned++;
          });
          return;
        }
        res.writeHead(a.status, a.headers ?? {}).end('ok');
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    box.receiver = new Receiver(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`);
    return box.receiver;
  }

  /** Answers every hung request with `status`. */
  release(status = 200): void {
    for (const res of this.hanging.splice(0)) if (!res.writableEnded) res.writeHead(status).end('ok');
  }

  ids(): string[] {
    return this.received.map((r) => r.event.id);
  }

  async close(): Promise<void> {
    this.release();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const FAST: Partial<WebhookDeliveryOptions> = { maxAttempts: 6, initialBackoffMs: 20, maxBackoffMs: 100, queueSize: 100, timeoutMs: 5000, concurrency: 4, deliveryLogSize: 100 };

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function receiver(answer?: (n: number) => Answer, port?: number): Promise<Receiver> {
  const r = await Receiver.start(answer, port);
  cleanups.push(() => r.close());
  return r;
}

function service(delivery: Partial<WebhookDeliveryOptions> = {}): WebhookService {
  const s = new WebhookService({ store: new MemoryWebhookStore(), eventTypes: WEBHOOK_BUS_EVENT_TYPES, delivery: { ...FAST, ...delivery }, logger: silentLogger() });
  cleanups.push(() => s.close());
  return s;
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function settledLog(s: WebhookService, id: string, finalCount: number): Promise<DeliveryRecord[]> {
  await until(async () => (await s.deliveries(id)).filter((d) => d.outcome === 'delivered' || d.outcome === 'failed').length >= finalCount, `${finalCount} settled deliveries`);
  return s.deliveries(id);
}

describe('webhook delivery to a real receiver', () => {
  it('a receiver failing its first 3 deliveries with 500 gets the event once it recovers, validly signed', async () => {
    const rx = await receiver((n) => (n < 3 ? { status: 500 } : { status: 204 }));
    const s = service();
    const { webhook, secret } = await s.create({ url: rx.url });
    const eventId = s.publish('streamStarted', { id: 'cam1' });

    const log = await settledLog(s, webhook.id, 1);
    expect(rx.received).toHaveLength(4);
    for (const r of rx.received) {
      expect(r.headers['zenlive-webhook-id']).toBe(eventId);
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.body).toBe(rx.received[0]!.body);
      expect(verifyWebhookSignature({ secret, headers: r.headers, body: r.body })).toMatchObject({ valid: true, id: eventId });
    }
    expect(rx.received[3]!.event).toEqual({ id: eventId, type: 'streamStarted', timestamp: expect.any(String), data: { id: 'cam1' } });
    expect(log.map((d) => [d.attempt, d.outcome, d.status])).toEqual([
      [4, 'delivered', 204],
      [3, 'retrying', 500],
      [2, 'retrying', 500],
      [1, 'retrying', 500],
    ]);
    expect(log.every((d) => d.eventId === eventId && d.eventType === 'streamStarted')).toBe(true);
    expect((await s.get(webhook.id)).stats).toEqual({ queued: 0, delivered: 1, failed: 0, dropped: 0, retries: 3 });
  });

  it('nothing is lost across retries: 30 events arrive once each in publish order, ids unique', async () => {
    const rx = await receiver((n) => (n % 3 === 1 ? { status: 503 } : { status: 200 }));
    const s = service();
    const { webhook, secret } = await s.create({ url: rx.url, events: ['viewerJoined'] });
    const published = Array.from({ length: 30 }, (_, seq) => s.publish('viewerJoined', { seq }));

    await settledLog(s, webhook.id, 30);
    expect(new Set(published).size).toBe(30);
    const firstSeen = [...new Set(rx.ids())];
    // per subscription, events are delivered one at a time in publish order
    expect(firstSeen).toEqual(published);
    expect(rx.received.map((r) => (r.event.data as { seq: number }).seq).filter((seq, i, all) => all.indexOf(seq) === i)).toEqual([...Array(30).keys()]);
    const answered200 = rx.received.filter((_, n) => n % 3 !== 1).map((r) => r.event.id);
    expect(answered200.sort()).toEqual([...published].sort());
    for (const r of rx.received) expect(verifyWebhookSignature({ secret, headers: r.headers, body: r.body }).valid).toBe(true);
    expect((await s.get(webhook.id)).stats).toMatchObject({ delivered: 30, failed: 0, dropped: 0 });
  });

  it('410 Gone, 400 and redirects are final: one attempt each, logged as failed, later events still delivered', async () => {
    const answers: Answer[] = [{ status: 410 }, { status: 400 }, { status: 302, headers: { location: '/elsewhere' } }, { status: 200 }];
    const rx = await receiver((n) => answers[n] ?? { status: 200 });
    const s = service();
    const { webhook } = await s.create({ url: rx.url });
    const ids = [s.publish('streamCreated', { n: 1 }), s.publish('streamStarted', { n: 2 }), s.publish('viewerJoined', { n: 3 }), s.publish('streamEnded', { n: 4 })];

    const log = await settledLog(s, webhook.id, 4);
    // the redirect was not followed: no request for /elsewhere
    expect(rx.ids()).toEqual(ids);
    expect(log.map((d) => [d.eventId, d.attempt, d.outcome, d.status])).toEqual([
      [ids[3], 1, 'delivered', 200],
      [ids[2], 1, 'failed', 302],
      [ids[1], 1, 'failed', 400],
      [ids[0], 1, 'failed', 410],
    ]);
    expect((await s.get(webhook.id)).stats).toMatchObject({ delivered: 1, failed: 3, retries: 0 });
  });

  it('a new URL given while an event is being retried is used from the next attempt', async () => {
    const old = await receiver(() => ({ status: 503 }));
    const moved = await receiver();
    const s = service({ maxAttempts: 50, initialBackoffMs: 50, maxBackoffMs: 50 });
    const { webhook, secret } = await s.create({ url: old.url });
    const id = s.publish('streamStarted', {});
    await until(() => old.received.length >= 2, 'two failed attempts');
    await s.update(webhook.id, { url: moved.url });
    const log = await settledLog(s, webhook.id, 1);
    expect(log[0]).toMatchObject({ eventId: id, outcome: 'delivered' });
    expect(moved.ids()).toEqual([id]);
    expect(verifyWebhookSignature({ secret, headers: moved.received[0]!.headers, body: moved.received[0]!.body }).valid).toBe(true);
  });

  it('an attempt that gets no answer within timeout_ms is aborted and retried', async () => {
    const rx = await receiver((n) => (n === 0 ? 'hang' : { status: 200 }));
    const s = service({ timeoutMs: 300 });
    const { webhook } = await s.create({ url: rx.url });
    const id = s.publish('streamEnded', {});

    const log = await settledLog(s, webhook.id, 1);
    expect(log.map((d) => [d.attempt, d.outcome, d.error])).toEqual([
      [2, 'delivered', null],
      [1, 'retrying', 'timeout after 300 ms'],
    ]);
    expect(rx.ids()).toEqual([id, id]);
    await until(() => rx.abandoned === 1, 'the timed-out request to be closed by the sender');
  });

  it('429 with Retry-After waits as asked, capped by max_backoff_ms', async () => {
    const rx = await receiver((n) => (n === 0 ? { status: 429, headers: { 'retry-after': '1' } } : n === 2 ? { status: 503, headers: { 'retry-after': '3600' } } : { status: 200 }));
    const s = service({ maxBackoffMs: 1500 });
    const { webhook } = await s.create({ url: rx.url });
    s.publish('streamStarted', {});
    s.publish('streamEnded', {});

    const log = await settledLog(s, webhook.id, 2);
    expect(log.map((d) => [d.outcome, d.status, d.retryInMs])).toEqual([
      ['delivered', 200, null],
      ['retrying', 503, 1500],
      ['delivered', 200, null],
      ['retrying', 429, 1000],
    ]);
  });

  it('a refused connection is retried until the receiver comes up', async () => {
    const probe = await Receiver.start();
    const port = Number(new URL(probe.url).port);
    await probe.close();
    const s = service({ maxAttempts: 100, initialBackoffMs: 20, maxBackoffMs: 50 });
    const { webhook, secret } = await s.create({ url: `http://127.0.0.1:${port}/hooks` });
    const id = s.publish('viewerLeft', { viewerId: 'v1' });

    await until(async () => (await s.deliveries(webhook.id)).some((d) => d.outcome === 'retrying'), 'a failed attempt');
    const first = (await s.deliveries(webhook.id)).at(-1)!;
    expect(first).toMatchObject({ attempt: 1, outcome: 'retrying', status: null });
    expect(first.error).toContain('ECONNREFUSED');

    const rx = await receiver(undefined, port);
    const log = await settledLog(s, webhook.id, 1);
    expect(log[0]).toMatchObject({ outcome: 'delivered', status: 200, eventId: id });
    expect(rx.ids()).toEqual([id]);
    expect(verifyWebhookSignature({ secret, headers: rx.received[0]!.headers, body: rx.received[0]!.body }).valid).toBe(true);
  });

  it('a full queue drops its oldest waiting event, counts and logs it', async () => {
    const rx = await receiver((n) => (n === 0 ? 'hang' : { status: 200 }));
    const s = service({ queueSize: 3 });
    const { webhook } = await s.create({ url: rx.url });
    const first = s.publish('viewerJoined', { seq: 0 });
    await until(() => rx.received.length === 1, 'the first request to arrive');
    const later = Array.from({ length: 6 }, (_, i) => s.publish('viewerJoined', { seq: i + 1 }));
    await s.flush();

    // one in flight plus a queue of 3: seq 1..3 were pushed out by 4..6
    expect((await s.get(webhook.id)).stats).toMatchObject({ queued: 4, dropped: 3 });
    const dropped = (await s.deliveries(webhook.id)).filter((d) => d.outcome === 'dropped');
    expect(dropped.map((d) => d.eventId).reverse()).toEqual(later.slice(0, 3));
    expect(dropped.every((d) => d.attempt === 0 && d.error === 'queue full')).toBe(true);

    rx.release();
    await settledLog(s, webhook.id, 4);
    expect(rx.ids()).toEqual([first, ...later.slice(3)]);
    expect((await s.get(webhook.id)).stats).toMatchObject({ queued: 0, delivered: 4, dropped: 3 });
  });

  it('closing aborts the request in flight and clears pending retries', async () => {
    const hanging = await receiver(() => 'hang');
    const failing = await receiver(() => ({ status: 500 }));
    // random() = 0.999 makes the first retry wait 199 ms: it would fire soon after close if not cleared
    // timeout_ms is far beyond the wait below, so only close() can end the hanging request
    const s = service({ initialBackoffMs: 200, maxBackoffMs: 200, random: () => 0.999, timeoutMs: 120_000 });
    const a = await s.create({ url: hanging.url });
    const b = await s.create({ url: failing.url });
    s.publish('streamStarted', {});

    await until(async () => hanging.received.length === 1 && (await s.deliveries(b.webhook.id)).length === 1, 'both first attempts');
    expect((await s.deliveries(b.webhook.id))[0]).toMatchObject({ outcome: 'retrying', retryInMs: 199 });
    const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const timersBefore = timers();
    await s.close();
    // both timers we own are gone: B's pending retry and the hanging attempt's timeout
    expect(timers()).toBe(timersBefore - 2);
    await until(() => hanging.abandoned === 1, 'the in-flight request to be aborted');
    await new Promise((r) => setTimeout(r, 500));
    expect(failing.received).toHaveLength(1);
    expect(s.publish('streamEnded', {})).toMatch(/^evt_/);
    await new Promise((r) => setTimeout(r, 100));
    expect(failing.received).toHaveLength(1);
    expect(hanging.received).toHaveLength(1);
    expect(a.webhook.id).not.toBe(b.webhook.id);
  });

  it('a grace period on close lets queued events go out before stopping', async () => {
    const slow = await receiver(() => 'hang');
    const s = service({ timeoutMs: 120_000 });
    await s.create({ url: slow.url });
    const ids = [s.publish('streamEnded', { id: 'a' }), s.publish('streamEnded', { id: 'b' })];
    await until(() => slow.received.length === 1, 'the first request');
    // a receiver under load: each request is answered a little after it arrives
    const answering = setInterval(() => slow.release(), 50);
    cleanups.push(async () => clearInterval(answering));
    await s.close(30_000);
    expect(slow.ids()).toEqual(ids);
    expect(slow.abandoned).toBe(0);
  });

  it('bus events reach only subscriptions whose filter names them', async () => {
    const rx = await receiver();
    const all = await receiver();
    const s = service();
    const bus = new EventBus(silentLogger());
    const detach = forwardBusToWebhooks(bus, s);
    cleanups.push(async () => detach());
    const failedOnly = await s.create({ url: rx.url, events: ['streamFailed'] });
    const everything = await s.create({ url: all.url });
    const paused = await s.create({ url: all.url, active: false });

    bus.emit('viewerJoined', { streamId: 'cam1', viewerId: 'v1', protocol: 'flv', remoteAddress: '127.0.0.1' });
    bus.emit('streamFailed', { id: 'cam1' } as never, Object.assign(new Error('encoder gone'), { code: 'RTMP_IDLE_TIMEOUT' }));

    await settledLog(s, everything.webhook.id, 2);
    await settledLog(s, failedOnly.webhook.id, 1);
    // one lane per subscription delivers in order: had viewerJoined been queued for it, it would have come first
    expect(rx.received.map((r) => r.event.type)).toEqual(['streamFailed']);
    expect(rx.received[0]!.event.data).toEqual({ stream: { id: 'cam1' }, error: { name: 'Error', message: 'encoder gone', code: 'RTMP_IDLE_TIMEOUT' } });
    expect(all.received.map((r) => r.event.type)).toEqual(['viewerJoined', 'streamFailed']);
    expect(await s.deliveries(paused.webhook.id)).toEqual([]);
  });
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are checked field by field
type ApiAnswer = { status: number; json: any };

describe('/api/v1/webhooks', () => {
  async function api(options: { guard?: boolean } = {}): Promise<{ s: WebhookService; url: (p: string) => string; app: FastifyInstance }> {
    const s = service();
    const app = await createHttpApp({ logger: silentLogger(), registry: new StreamRegistry({ gopCache: { maxFrames: 100, maxBytes: 1 << 20 }, backpressure: { softLimitBytes: 1 << 20, hardLimitBytes: 1 << 22, maxSkipMs: 5000 } }), isReady: () => true, corsOrigins: ['*'] });
    registerWebhookRoutes(app, {
      service: s,
      ...(options.guard === true
        ? {
            preHandler: async (req, reply) => {
              if (req.headers['x-test-key'] !== 'let-me-in') await reply.code(401).send({ error: { code: 'AUTH_REQUIRED', message: 'no', details: {} } });
            },
          }
        : {}),
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    cleanups.push(() => app.close());
    const port = (app.server.address() as AddressInfo).port;
    return { s, app, url: (p) => `http://127.0.0.1:${port}/api/v1/webhooks${p}` };
  }

  async function call(url: string, method = 'GET', body?: unknown, headers: Record<string, string> = {}): Promise<ApiAnswer> {
    const res = await fetch(url, { method, headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await res.text();
    return { status: res.status, json: text === '' ? undefined : JSON.parse(text) };
  }

  it('a bad subscribe body is a 400 naming the field', async () => {
    const { url } = await api();
    const cases: Array<[unknown, string]> = [
      [{ url: 'ftp://example.test/x' }, 'url'],
      [{ url: 'javascript:alert(1)' }, 'url'],
      [{}, 'url'],
      [{ url: 'http://127.0.0.1/x', events: ['streamStarted', 'streamExploded'] }, 'events.1'],
      [{ url: 'http://127.0.0.1/x', events: [] }, 'events'],
      [{ url: 'http://127.0.0.1/x', active: 'yes' }, 'active'],
      [{ url: 'http://127.0.0.1/x', colour: 'blue' }, 'colour'],
      [{ url: 'http://127.0.0.1/x', secret: 'short' }, 'secret'],
    ];
    for (const [body, field] of cases) {
      const res = await call(url(''), 'POST', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error.code).toBe('VALIDATION_FAILED');
      expect(res.json.error.details.field, JSON.stringify(body)).toBe(field);
      expect(res.json.error.message).toContain(field);
    }
    const notJson = await fetch(url(''), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"url":' });
    expect(notJson.status).toBe(400);
    expect((await call(url('?limit=0'))).json.error.details.field).toBe('limit');
    expect((await call(url('?cursor=bogus'))).json.error).toMatchObject({ code: 'WEBHOOK_CURSOR_INVALID', details: { field: 'cursor' } });
  });

  it('subscribe shows the secret once; get, list pages, update and delete never show it', async () => {
    const { url } = await api();
    const created = await call(url(''), 'POST', { url: 'http://127.0.0.1:9/a', events: ['streamStarted'], description: 'ops' });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ id: expect.stringMatching(/^wh_/), url: 'http://127.0.0.1:9/a', events: ['streamStarted'], active: true, description: 'ops', secret: expect.stringMatching(/^whsec_.{40,}/) });
    const id = created.json.id as string;

    const got = await call(url(`/${id}`));
    expect(got.status).toBe(200);
    expect(got.json.secret).toBeUndefined();
    expect(got.json.stats).toEqual({ queued: 0, delivered: 0, failed: 0, dropped: 0, retries: 0 });

    for (let i = 0; i < 4; i++) await call(url(''), 'POST', { url: `http://127.0.0.1:9/${i}` });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: ApiAnswer = await call(url(`?limit=2${cursor !== null ? `&cursor=${cursor}` : ''}`));
      expect(page.status).toBe(200);
      expect(page.json.webhooks.length).toBeLessThanOrEqual(2);
      for (const w of page.json.webhooks) expect(w.secret).toBeUndefined();
      seen.push(...page.json.webhooks.map((w: { id: string }) => w.id));
      cursor = page.json.nextCursor;
    } while (cursor !== null);
    expect(seen).toHaveLength(5);
    expect(seen[0]).toBe(id);
    expect(new Set(seen).size).toBe(5);

    const patched = await call(url(`/${id}`), 'PATCH', { active: false, events: ['*'] });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({ active: false, events: ['*'], url: 'http://127.0.0.1:9/a' });
    expect(patched.json.secret).toBeUndefined();

    expect((await call(url(`/${id}`), 'DELETE')).status).toBe(204);
    for (const [path, method] of [[`/${id}`, 'GET'], [`/${id}`, 'DELETE'], [`/${id}/test`, 'POST'], [`/${id}/deliveries`, 'GET'], [`/${id}`, 'PATCH']] as const) {
      const res = await call(url(path), method, method === 'PATCH' ? { active: true } : undefined);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.json.error).toEqual({ code: 'WEBHOOK_NOT_FOUND', message: `webhook ${id} not found`, details: { id } });
    }
  });

  it('POST /:id/test delivers a signed webhook.test event and the delivery log shows it', async () => {
    const rx = await receiver();
    const { url } = await api();
    const created = await call(url(''), 'POST', { url: rx.url, events: ['streamEnded'] });
    const sent = await call(url(`/${created.json.id}/test`), 'POST');
    expect(sent.status).toBe(202);
    await until(() => rx.received.length === 1, 'the test event');
    const r = rx.received[0]!;
    expect(r.event).toMatchObject({ id: sent.json.eventId, type: 'webhook.test', data: { webhookId: created.json.id } });
    expect(verifyWebhookSignature({ secret: created.json.secret, headers: r.headers, body: r.body }).valid).toBe(true);
    expect(verifyWebhookSignature({ secret: 'whsec_somebody-else-entirely', headers: r.headers, body: r.body }).valid).toBe(false);

    await until(async () => (await call(url(`/${created.json.id}/deliveries`))).json.deliveries.length === 1, 'the delivery record');
    const log = await call(url(`/${created.json.id}/deliveries`));
    expect(log.json.deliveries[0]).toMatchObject({ eventId: sent.json.eventId, eventType: 'webhook.test', attempt: 1, outcome: 'delivered', status: 200, error: null });
  });

  it('the preHandler guard runs before every webhook route', async () => {
    const { url, s } = await api({ guard: true });
    const { webhook } = await s.create({ url: 'http://127.0.0.1:9/x' });
    const routes: Array<[string, string, unknown?]> = [
      ['', 'POST', { url: 'http://127.0.0.1:9/y' }],
      ['', 'GET'],
      [`/${webhook.id}`, 'GET'],
      [`/${webhook.id}`, 'PATCH', { active: false }],
      [`/${webhook.id}/test`, 'POST'],
      [`/${webhook.id}/deliveries`, 'GET'],
      [`/${webhook.id}`, 'DELETE'],
    ];
    for (const [path, method, body] of routes) expect((await call(url(path), method, body)).status, `${method} ${path}`).toBe(401);
    expect((await s.list({ limit: 10 })).webhooks).toHaveLength(1);
    expect((await s.get(webhook.id)).active).toBe(true);
    for (const [path, method, body] of routes) expect((await call(url(path), method, body, { 'x-test-key': 'let-me-in' })).status, `${method} ${path}`).toBeLessThan(300);
  });
});
