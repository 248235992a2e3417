import type { KeyValueStore } from '../state/index.js';
import { parseRoomSettings, type RoomSettings } from './room-settings.js';

/** Everything the write path must know about one user in one room, read in one round trip. */
export interface UserStanding {
  bannedInRoom: boolean;
  bannedGlobally: boolean;
  muted: boolean;
  timedOut: boolean;
  roomModerator: boolean;
  settings: RoomSettings;
}

/**
 * Bans, mutes, timeouts, room moderators and room settings in the shared key-value store, so
 * every node enforces the same decisions; timeouts and timed bans are keys with a TTL.
 */
export class ModerationStore {
  constructor(
    private readonly kv: KeyValueStore,
    private readonly prefix = 'chat:',
  ) {}

  private key(kind: string, room: string, user?: string): string {
    return user === undefined ? `${this.prefix}${kind}:${room}` : `${this.prefix}${kind}:${room}:${user}`;
  }

  async standing(room: string, userId: string): Promise<UserStanding> {
    const [ban, gban, mute, timeout, mod, settings] = await this.kv.getMany([
      this.key('ban', room, userId),
      `${this.prefix}gban:${userId}`,
      this.key('mute', room, userId),
      this.key('timeout', room, userId),
      this.key('mod', room, userId),
      this.key('settings', room),
    ]);
    return {
      bannedInRoom: ban !== undefined,
      bannedGlobally: gban !== undefined,
      muted: mute !== undefined,
      timedOut: timeout !== undefined,
      roomModerator: mod !== undefined,
      settings: parseRoomSettings(settings),
    };
  }

  async settings(room: string): Promise<RoomSettings> {
    return parseRoomSettings(await this.kv.get(this.key('settings', room)));
  }

  async updateSettings(room: string, change: (s: RoomSettings) => RoomSettings): Promise<RoomSettings> {
    const next = change(await this.settings(room));
    await this.kv.set(this.key('settings', room), JSON.stringify(next));
    return next;
  }

  async isRoomModerator(room: string, userId: string): Promise<boolean> {
    return (await this.kv.get(this.key('mod', room, userId))) !== undefined;
  }

  async setFlag(kind: 'ban' | 'mute' | 'timeout' | 'mod', room: string, userId: string, on: boolean, ttlMs?: number): Promise<void> {
    const key = this.key(kind, room, userId);
    if (on) await this.kv.set(key, '1', ttlMs);
    else await this.kv.delete(key);
  }

  async setGlobalBan(userId: string, on: boolean, ttlMs?: number): Promise<void> {
    const key = `${this.prefix}gban:${userId}`;
    if (on) await this.kv.set(key, '1', ttlMs);
    else await this.kv.delete(key);
  }
}
