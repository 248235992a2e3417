import type { ChatIdentity } from './types.js';

/** How much a user may do in a room; a moderator acts only on users ranked below them. */
export const Rank = { anonymous: 0, user: 1, roomModerator: 2, moderator: 3, broadcaster: 3, admin: 4, system: 5 } as const;

/** The facts about a user in one room that decide their rank. */
export interface RoomRoleFacts {
  identity: Pick<ChatIdentity, 'userId' | 'role' | 'grants'>;
  isOwner: boolean;
  isRoomModerator: boolean;
  room: string;
}

export function rankOf(f: RoomRoleFacts): number {
  const role = f.identity.role;
  if (role === 'admin') return Rank.admin;
  if (role === 'moderator' || f.identity.grants?.includes('chat:moderate') === true) return Rank.moderator;
  if (f.isOwner) return Rank.broadcaster;
  if (f.isRoomModerator || f.identity.grants?.includes(`chat:moderate:${f.room}`) === true) return Rank.roomModerator;
  return role === 'anonymous' ? Rank.anonymous : Rank.user;
}

/** Badges shown next to a user's messages. */
export function badgesOf(f: RoomRoleFacts): string[] {
  const out: string[] = [];
  if (f.identity.role === 'admin') out.push('admin');
  if (f.identity.role === 'moderator') out.push('moderator');
  if (f.isOwner) out.push('broadcaster');
  if (f.isRoomModerator) out.push('mod');
  if (f.identity.role === 'publisher' && !f.isOwner) out.push('publisher');
  return out;
}
