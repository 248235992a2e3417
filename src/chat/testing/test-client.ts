import { WebSocket } from 'ws';

/** One server event as a test sees it. */
export type ChatFrameEvent = Record<string, unknown> & { type: string };

/**
 * A real `ws` chat client for tests: records every event (server frames may carry several,
 * one per line), answers `request` with the ack/joined/error that carries the same ref.
 */
export class ChatTestClient {
  readonly events: ChatFrameEvent[] = [];
  frames = 0;
  closed: { code: number; reason: string } | undefined;
  private nextRef = 1;
  private waiters: Array<() => void> = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      this.frames++;
      for (const line of data.toString('utf8').split('\n')) this.events.push(JSON.parse(line) as ChatFrameEvent);
      this.wake();
    });
    ws.on('close', (code: number, reason: Buffer) => {
      this.closed = { code, reason: reason.toString() };
      this.wake();
    });
    ws.on('error', () => undefined);
  }

  /** Connects and waits for the welcome frame (or the close that refuses us). */
  static async connect(url: string, query: Record<string, string> = {}): Promise<ChatTestClient> {
    const qs = new URLSearchParams(query).toString();
    const ws = new WebSocket(qs === '' ? url : `${url}?${qs}`);
    const client = new ChatTestClient(ws);
    await client.until((e) => e.type === 'welcome', 5000).catch((err: unknown) => {
      if (client.closed === undefined) throw err;
    });
    return client;
  }

  send(command: Record<string, unknown>): void {
    this.ws.send(JSON.stringify({ v: 1, ...command }));
  }

  sendRaw(data: string | Buffer): void {
    this.ws.send(data);
  }

  /** Sends with a fresh ref and resolves with the answer carrying it (ack, joined, history or error). */
  async request(command: Record<string, unknown>, timeoutMs = 5000): Promise<ChatFrameEvent> {
    const ref = `r${this.nextRef++}`;
    this.send({ ...command, ref });
    return this.until((e) => e.ref === ref, timeoutMs);
  }

  async join(room: string): Promise<ChatFrameEvent> {
    const answer = await this.request({ type: 'join', room });
    if (answer.type !== 'joined') throw new Error(`join ${room} refused: ${JSON.stringify(answer)}`);
    return answer;
  }

  /** Posts and returns the ack or error. */
  post(room: string, content: string): Promise<ChatFrameEvent> {
    return this.request({ type: 'message', room, content });
  }

  /** The first recorded event matching `match`, waiting for it if needed. */
  async until(match: (e: ChatFrameEvent) => boolean, timeoutMs = 5000): Promise<ChatFrameEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.events.find(match);
      if (hit !== undefined) return hit;
      if (this.closed !== undefined) throw new Error(`closed (${this.closed.code} ${this.closed.reason}) before a matching event`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(this.events.slice(-5))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Resolves with the close code and reason once the server closes us. */
  async closedWith(timeoutMs = 5000): Promise<{ code: number; reason: string }> {
    const deadline = Date.now() + timeoutMs;
    while (this.closed === undefined) {
      if (Date.now() > deadline) throw new Error('not closed in time');
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.closed;
  }

  of(type: string): ChatFrameEvent[] {
    return this.events.filter((e) => e.type === type);
  }

  async close(): Promise<void> {
    if (this.closed !== undefined) return;
    const done = new Promise<void>((r) => this.ws.once('close', () => r()));
    this.ws.close();
    await Promise.race([done, new Promise((r) => setTimeout(r, 2000))]);
    if (this.closed === undefined) this.ws.terminate();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}
