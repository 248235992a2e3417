import { ChatBadCommandError } from './errors.js';
import type { ModerationAction } from './types.js';

const USAGE: Readonly<Record<string, string>> = {
  ban: '/ban USER [reason]',
  unban: '/unban USER',
  gban: '/gban USER [reason]',
  gunban: '/gunban USER',
  timeout: '/timeout USER SECONDS [reason]',
  untimeout: '/untimeout USER',
  mute: '/mute USER [reason]',
  unmute: '/unmute USER',
  delete: '/delete MESSAGE_ID',
  purge: '/purge USER',
  clear: '/clear',
  slow: '/slow SECONDS|off',
  emoteonly: '/emoteonly on|off',
  unique: '/unique on|off',
  block: '/block TERM',
  unblock: '/unblock TERM',
  mod: '/mod USER',
  unmod: '/unmod USER',
};

function onOff(v: string | undefined, usage: string): boolean {
  if (v === 'on') return true;
  if (v === 'off') return false;
  throw new ChatBadCommandError(`usage: ${usage}`);
}

function seconds(v: string | undefined, usage: string, allowOff: boolean): number {
  if (allowOff && v === 'off') return 0;
  if (v === undefined || !/^\d{1,7}$/.test(v)) throw new ChatBadCommandError(`usage: ${usage}`);
  return Number(v);
}

/** True when a chat line is a moderator command rather than a message. */
export function isCommand(content: string): boolean {
  return /^\/[a-z]/i.test(content);
}

/** Turns `/ban alice spam` and friends into a moderation action; ChatBadCommandError when unknown or malformed. */
export function parseCommand(content: string): ModerationAction {
  const [head = '', ...args] = content.trim().split(/\s+/);
  const name = head.slice(1).toLowerCase();
  const usage = USAGE[name];
  if (usage === undefined) throw new ChatBadCommandError(`unknown command /${name}; known: ${Object.keys(USAGE).map((k) => `/${k}`).join(' ')}`);
  const user = (): string => {
    const u = args[0];
    if (u === undefined || u === '') throw new ChatBadCommandError(`usage: ${usage}`);
    return u.replace(/^@/, '');
  };
  const reason = (from: number): { reason?: string } => (args.length > from ? { reason: args.slice(from).join(' ') } : {});
  switch (name) {
    case 'ban':
      return { kind: 'ban', userId: user(), ...reason(1) };
    case 'unban':
      return { kind: 'unban', userId: user() };
    case 'gban':
      return { kind: 'ban', userId: user(), global: true, ...reason(1) };
    case 'gunban':
      return { kind: 'unban', userId: user(), global: true };
    case 'timeout': {
      const userId = user();
      const s = seconds(args[1], usage, false);
      if (s === 0) throw new ChatBadCommandError(`usage: ${usage}`);
      return { kind: 'timeout', userId, durationSeconds: s, ...reason(2) };
    }
    case 'untimeout':
      return { kind: 'untimeout', userId: user() };
    case 'mute':
      return { kind: 'mute', userId: user(), ...reason(1) };
    case 'unmute':
      return { kind: 'unmute', userId: user() };
    case 'delete':
      return { kind: 'delete', messageId: user() };
    case 'purge':
      return { kind: 'purge', userId: user() };
    case 'clear':
      return { kind: 'clear' };
    case 'slow':
      return { kind: 'slow', seconds: seconds(args[0], usage, true) };
    case 'emoteonly':
      return { kind: 'emoteOnly', enabled: onOff(args[0], usage) };
    case 'unique':
      return { kind: 'uniqueOnly', enabled: onOff(args[0], usage) };
    case 'block':
      return { kind: 'blockTerm', term: args.join(' ') || user() };
    case 'unblock':
      return { kind: 'unblockTerm', term: args.join(' ') || user() };
    case 'mod':
      return { kind: 'mod', userId: user() };
    default:
      return { kind: 'unmod', userId: user() };
  }
}
