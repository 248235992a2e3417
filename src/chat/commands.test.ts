import { describe, expect, it } from 'vitest';
import { isCommand, parseCommand } from './commands.js';
import { ChatBadCommandError } from './errors.js';

describe('moderator commands', () => {
  it('parse into moderation actions', () => {
    expect(parseCommand('/ban @alice spamming links')).toEqual({ kind: 'ban', userId: 'alice', reason: 'spamming links' });
    expect(parseCommand('/gban bob')).toEqual({ kind: 'ban', userId: 'bob', global: true });
    expect(parseCommand('/unban bob')).toEqual({ kind: 'unban', userId: 'bob' });
    expect(parseCommand('/timeout bob 60')).toEqual({ kind: 'timeout', userId: 'bob', durationSeconds: 60 });
    expect(parseCommand('/slow 5')).toEqual({ kind: 'slow', seconds: 5 });
    expect(parseCommand('/slow off')).toEqual({ kind: 'slow', seconds: 0 });
    expect(parseCommand('/clear')).toEqual({ kind: 'clear' });
    expect(parseCommand('/delete 0abc-n1')).toEqual({ kind: 'delete', messageId: '0abc-n1' });
    expect(parseCommand('/mod carol')).toEqual({ kind: 'mod', userId: 'carol' });
    expect(parseCommand('/unmod carol')).toEqual({ kind: 'unmod', userId: 'carol' });
    expect(parseCommand('/purge dave')).toEqual({ kind: 'purge', userId: 'dave' });
    expect(parseCommand('/emoteonly on')).toEqual({ kind: 'emoteOnly', enabled: true });
    expect(parseCommand('/unique off')).toEqual({ kind: 'uniqueOnly', enabled: false });
    expect(parseCommand('/block bad word')).toEqual({ kind: 'blockTerm', term: 'bad word' });
    expect(parseCommand('/MUTE eve')).toEqual({ kind: 'mute', userId: 'eve' });
  });

  it('unknown commands and missing arguments are refused with usage', () => {
    for (const c of ['/dance', '/ban', '/timeout bob', '/timeout bob x', '/timeout bob 0', '/slow', '/slow fast', '/emoteonly maybe']) {
      expect(() => parseCommand(c), c).toThrow(ChatBadCommandError);
    }
  });

  it('only lines starting with a slash and a letter are commands', () => {
    expect(isCommand('/ban x')).toBe(true);
    expect(isCommand('/ 2')).toBe(false);
    expect(isCommand('a/b')).toBe(false);
    expect(isCommand('/')).toBe(false);
  });
});
