/** Per-room modes moderators switch; stored in shared state so every node applies the same. */
export interface RoomSettings {
  slowSeconds: number;
  emoteOnly: boolean;
  uniqueOnly: boolean;
  blockedTerms: string[];
}

export const DEFAULT_ROOM_SETTINGS: Readonly<RoomSettings> = Object.freeze({ slowSeconds: 0, emoteOnly: false, uniqueOnly: false, blockedTerms: [] });

/** Reads stored settings leniently: a missing or damaged record means the defaults. */
export function parseRoomSettings(raw: string | undefined): RoomSettings {
  if (raw === undefined) return { ...DEFAULT_ROOM_SETTINGS, blockedTerms: [] };
  try {
    const o = JSON.parse(raw) as Partial<RoomSettings>;
    return {
      slowSeconds: typeof o.slowSeconds === 'number' && o.slowSeconds > 0 ? o.slowSeconds : 0,
      emoteOnly: o.emoteOnly === true,
      uniqueOnly: o.uniqueOnly === true,
      blockedTerms: Array.isArray(o.blockedTerms) ? o.blockedTerms.filter((t): t is string => typeof t === 'string') : [],
    };
  } catch {
    return { ...DEFAULT_ROOM_SETTINGS, blockedTerms: [] };
  }
}

/** What clients are told about a room's modes (blocked terms stay private to moderators). */
export function publicSettings(s: RoomSettings): { slowSeconds: number; emoteOnly: boolean; uniqueOnly: boolean } {
  return { slowSeconds: s.slowSeconds, emoteOnly: s.emoteOnly, uniqueOnly: s.uniqueOnly };
}
