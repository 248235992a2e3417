import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../base/index.js';
import { EventBus } from '../event-bus.js';
import type { ViewerEvent } from '../types.js';
import { forwardBusToWebhooks, WEBHOOK_BUS_EVENT_TYPES, webhookData } from './bus-bridge.js';

class RecordingSink {
  readonly published: Array<{ type: string; data: unknown }> = [];
  publish(type: string, data: unknown): string {
    this.published.push({ type, data });
    return `evt_${this.published.length}`;
  }
}

const viewer: ViewerEvent = { streamId: 's1', viewerId: 'v1', protocol: 'flv', remoteAddress: '127.0.0.1' };

describe('bus to webhooks bridge', () => {
  it('forwards every bus event by its name until detached', () => {
    const bus = new EventBus(silentLogger());
    const sink = new RecordingSink();
    const detach = forwardBusToWebhooks(bus, sink);
    expect(WEBHOOK_BUS_EVENT_TYPES).toEqual([
      'streamCreated',
      'streamStarted',
      'streamEnded',
      'streamFailed',
      'viewerJoined',
      'viewerLeft',
      'recordingStarted',
      'recordingFinished',
      'recordingFailed',
      'chatMessage',
      'chatModeration',
    ]);
    for (const name of WEBHOOK_BUS_EVENT_TYPES) expect(bus.listenerCount(name)).toBe(1);
    bus.emit('viewerJoined', viewer);
    bus.emit('viewerLeft', { ...viewer, reason: 'closed' });
    expect(sink.published).toEqual([
      { type: 'viewerJoined', data: viewer },
      { type: 'viewerLeft', data: { ...viewer, reason: 'closed' } },
    ]);
    detach();
    for (const name of WEBHOOK_BUS_EVENT_TYPES) expect(bus.listenerCount(name)).toBe(0);
    bus.emit('viewerJoined', viewer);
    expect(sink.published).toHaveLength(2);
  });

  it('streamFailed carries the stream and a JSON-ready error', () => {
    const err = Object.assign(new Error('publisher vanished'), { code: 'RTMP_TIMEOUT' });
    const stream = { id: 's1' } as never;
    const data = webhookData('streamFailed', [stream, err]);
    expect(JSON.parse(JSON.stringify(data))).toEqual({ stream: { id: 's1' }, error: { name: 'Error', message: 'publisher vanished', code: 'RTMP_TIMEOUT' } });
  });
});
