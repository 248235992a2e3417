import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChatProtocolError } from './errors.js';
import { encodeClientCommand, parseClientFrame, parseServerFrame, type ClientCommand } from './protocol.js';

const roomId = fc.stringMatching(/^[A-Za-z0-9_.:-]{1,40}$/);
const ref = fc.option(fc.string({ maxLength: 64 }), { nil: undefined });
const withRef = <T extends object>(c: T, r: string | undefined): T => (r === undefined ? c : { ...c, ref: r });

const command: fc.Arbitrary<ClientCommand> = fc.oneof(
  fc.tuple(fc.string({ maxLength: 200 }), ref).map(([token, r]) => withRef({ type: 'auth' as const, token }, r)),
  fc.tuple(roomId, ref).map(([room, r]) => withRef({ type: 'join' as const, room }, r)),
  fc.tuple(roomId, ref).map(([room, r]) => withRef({ type: 'leave' as const, room }, r)),
  fc.tuple(roomId, fc.string(), ref).map(([room, content, r]) => withRef({ type: 'message' as const, room, content }, r)),
  fc.tuple(roomId, fc.string(), fc.string({ maxLength: 128 }), ref).map(([room, content, replyTo, r]) => withRef({ type: 'reply' as const, room, content, replyTo }, r)),
  fc.tuple(roomId, fc.string({ maxLength: 128 }), ref).map(([room, id, r]) => withRef({ type: 'delete' as const, room, id }, r)),
  fc.tuple(roomId, ref).map(([room, r]) => withRef({ type: 'clear' as const, room }, r)),
  fc.tuple(roomId, ref).map(([room, r]) => withRef({ type: 'history' as const, room }, r)),
);

describe('client frame parser', () => {
  it('parses what the encoder writes, unchanged', () => {
    fc.assert(
      fc.property(command, (c) => {
        expect(parseClientFrame(encodeClientCommand(c))).toEqual(c);
      }),
    );
  });

  it('any text either parses or throws ChatProtocolError, nothing else', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.jsonValue().map((v) => JSON.stringify({ v: 1, type: 'message', room: 'r', ...(typeof v === 'object' && v !== null && !Array.isArray(v) ? v : { content: v }) }))), (text) => {
        try {
          parseClientFrame(text);
        } catch (err) {
          expect(err).toBeInstanceOf(ChatProtocolError);
        }
      }),
    );
  });

  it('refuses other protocol versions, unknown types, bad rooms and wrong field types', () => {
    const bad = [
      '{"type":"join","room":"a"}',
      '{"v":2,"type":"join","room":"a"}',
      '{"v":1,"type":"dance","room":"a"}',
      '{"v":1,"type":"join","room":"a b"}',
      '{"v":1,"type":"join","room":""}',
      `{"v":1,"type":"join","room":"${'x'.repeat(129)}"}`,
      '{"v":1,"type":"message","room":"a","content":5}',
      '{"v":1,"type":"message","room":"a"}',
      '{"v":1,"type":"join","room":"a","ref":7}',
      '[1,2]',
      'null',
      '{"v":1,',
    ];
    for (const text of bad) expect(() => parseClientFrame(text), text).toThrow(ChatProtocolError);
  });

  it('a reply carries what it answers', () => {
    expect(parseClientFrame('{"v":1,"type":"reply","room":"s1","content":"yes","replyTo":"abc","ref":"7"}')).toEqual({ type: 'reply', room: 's1', content: 'yes', replyTo: 'abc', ref: '7' });
  });
});

describe('server frames', () => {
  it('a frame of several events splits on line breaks, even when contents hold escaped ones', () => {
    const events = [{ type: 'message', content: 'a\nb' }, { type: 'presence', count: 3 }];
    expect(parseServerFrame(events.map((e) => JSON.stringify(e)).join('\n'))).toEqual(events);
  });
});
