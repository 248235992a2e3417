import { ChatBadCommandError, ChatForbiddenError } from './errors.js';
import type { ModerationStore } from './moderation-store.js';
import { Rank } from './permissions.js';
import { normalizeContent } from './normalize.js';
import type { ChatIdentity, ChatMessage, ModerationAction, ModerationRecord } from './types.js';

/** The actor the app itself acts as (SDK and trusted server code): outranks everyone. */
export const SYSTEM_ACTOR: ChatIdentity = { userId: 'system', name: 'System', role: 'admin' };

/** What the executor needs from the service; kept narrow so it can be read on its own. */
export interface ModerationDeps {
  store: ModerationStore;
  nodeId: string;
  now: () => number;
  nextId: () => string;
  rankIn: (identity: ChatIdentity, room: string) => Promise<number>;
  rankOfUser: (userId: string, room: string) => Promise<number>;
  findMessage: (room: string, id: string) => ChatMessage | undefined;
  /** Publishes a serialised room event to every node. */
  publishRoom: (room: string, event: Record<string, unknown>) => Promise<void>;
  /** Tells every node to disconnect a globally banned user. */
  publishGlobalBan: (userId: string, reason: string | undefined) => Promise<void>;
  record: (record: ModerationRecord) => void;
}

function requiredRank(a: ModerationAction): number {
  if (a.kind === 'mod' || a.kind === 'unmod') return Rank.broadcaster;
  if ((a.kind === 'ban' || a.kind === 'unban') && a.global === true) return Rank.moderator;
  return Rank.roomModerator;
}

function targetOf(a: ModerationAction): string | undefined {
  return 'userId' in a ? a.userId : undefined;
}

function isGlobalStaff(actor: ChatIdentity, system: boolean): boolean {
  return system || actor.role === 'admin' || actor.role === 'moderator' || actor.grants?.includes('chat:moderate') === true;
}

/**
 * Checks a moderation action against the actor's rank and the target's, stores its effect in
 * shared state, broadcasts it to the room on every node, then audits and emits it.
 */
export async function executeModeration(deps: ModerationDeps, actor: ChatIdentity, room: string, action: ModerationAction, system = false): Promise<ModerationRecord> {
  const actorRank = system ? Rank.system : await deps.rankIn(actor, room);
  if (actorRank < requiredRank(action)) throw new ChatForbiddenError(`${action.kind} needs a higher role in ${room}`);
  if ('global' in action && action.global === true && !isGlobalStaff(actor, system)) throw new ChatForbiddenError('global bans need an admin or a global moderator');
  const target = targetOf(action);
  if (target !== undefined) {
    if (target === '') throw new ChatBadCommandError('user id is empty');
    if (target === actor.userId && !system) throw new ChatBadCommandError('you cannot moderate yourself');
    if ((await deps.rankOfUser(target, room)) >= actorRank) throw new ChatForbiddenError(`${target} outranks or equals you in ${room}`);
  }
  if (action.kind === 'delete') {
    const message = deps.findMessage(room, action.messageId);
    if (message !== undefined && message.user.id !== actor.userId && (await deps.rankOfUser(message.user.id, room)) >= actorRank) {
      throw new ChatForbiddenError('that message is by someone who outranks you');
    }
  }
  await applyToStore(deps.store, room, action);

  const record: ModerationRecord = { id: deps.nextId(), room, action, actor: { id: actor.userId, name: actor.name, role: system ? 'system' : actor.role }, at: deps.now(), node: deps.nodeId };
  const by = { id: actor.userId, name: actor.name };
  const base = { v: 1, room, by, moderationId: record.id, ts: record.at };
  switch (action.kind) {
    case 'delete':
      await deps.publishRoom(room, { ...base, type: 'delete', ids: [action.messageId] });
      break;
    case 'purge':
      await deps.publishRoom(room, { ...base, type: 'delete', userId: action.userId });
      break;
    case 'clear':
      await deps.publishRoom(room, { ...base, type: 'clear' });
      break;
    default: {
      const { kind, ...rest } = action;
      // Viewers learn that the list changed, not the word itself.
      const shown = kind === 'blockTerm' || kind === 'unblockTerm' ? {} : rest;
      await deps.publishRoom(room, { ...base, type: 'system', action: kind, ...shown });
    }
  }
  if (action.kind === 'ban' && action.global === true) await deps.publishGlobalBan(action.userId, action.reason);
  deps.record(record);
  return record;
}

async function applyToStore(store: ModerationStore, room: string, a: ModerationAction): Promise<void> {
  const ttl = (s: number | undefined): number | undefined => (s !== undefined && s > 0 ? s * 1000 : undefined);
  switch (a.kind) {
    case 'ban':
      if (a.global === true) await store.setGlobalBan(a.userId, true, ttl(a.durationSeconds));
      else await store.setFlag('ban', room, a.userId, true, ttl(a.durationSeconds));
      return;
    case 'unban':
      if (a.global === true) await store.setGlobalBan(a.userId, false);
      else await store.setFlag('ban', room, a.userId, false);
      return;
    case 'timeout':
      if (!(a.durationSeconds > 0)) throw new ChatBadCommandError('timeout needs a positive duration');
      await store.setFlag('timeout', room, a.userId, true, a.durationSeconds * 1000);
      return;
    case 'untimeout':
      return store.setFlag('timeout', room, a.userId, false);
    case 'mute':
      return store.setFlag('mute', room, a.userId, true);
    case 'unmute':
      return store.setFlag('mute', room, a.userId, false);
    case 'mod':
      return store.setFlag('mod', room, a.userId, true);
    case 'unmod':
      return store.setFlag('mod', room, a.userId, false);
    case 'slow':
      if (!(a.seconds >= 0)) throw new ChatBadCommandError('slow mode needs 0 or more seconds');
      await store.updateSettings(room, (s) => ({ ...s, slowSeconds: a.seconds }));
      return;
    case 'emoteOnly':
      await store.updateSettings(room, (s) => ({ ...s, emoteOnly: a.enabled }));
      return;
    case 'uniqueOnly':
      await store.updateSettings(room, (s) => ({ ...s, uniqueOnly: a.enabled }));
      return;
    case 'blockTerm': {
      const term = normalizeContent(a.term).toLowerCase();
      if (term === '') throw new ChatBadCommandError('blocked term is empty');
      await store.updateSettings(room, (s) => ({ ...s, blockedTerms: s.blockedTerms.includes(term) ? s.blockedTerms : [...s.blockedTerms, term] }));
      return;
    }
    case 'unblockTerm': {
      const term = normalizeContent(a.term).toLowerCase();
      await store.updateSettings(room, (s) => ({ ...s, blockedTerms: s.blockedTerms.filter((t) => t !== term) }));
      return;
    }
    case 'delete':
    case 'purge':
    case 'clear':
      return;
  }
}
