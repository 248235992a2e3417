import type { BitReader } from '../bits/bit-reader.js';

/** The general profile, tier and level of an HEVC stream (H.265 §7.3.3, copied into the hvcC). */
export interface HevcProfileTierLevel {
  profileSpace: number;
  tierFlag: boolean;
  profileIdc: number;
  /** general_profile_compatibility_flag[0..31], flag j at bit 31 - j (stream order). */
  compatibilityFlags: number;
  /** The 48 bits starting with general_progressive_source_flag, as 6 bytes. */
  constraintFlags: readonly number[];
  levelIdc: number;
}

/** Reads profile_tier_level(1, maxSubLayersMinus1) and returns its general part. */
export function readProfileTierLevel(r: BitReader, maxSubLayersMinus1: number): HevcProfileTierLevel {
  const ptl = readGeneralPtl(r);
  const profilePresent: boolean[] = [];
  const levelPresent: boolean[] = [];
  for (let i = 0; i < maxSubLayersMinus1; i++) {
    profilePresent.push(r.flag());
    levelPresent.push(r.flag());
  }
  // reserved_zero_2bits pad the presence flags to 8 pairs
  if (maxSubLayersMinus1 > 0) r.skip(2 * (8 - maxSubLayersMinus1));
  for (let i = 0; i < maxSubLayersMinus1; i++) {
    if (profilePresent[i]) r.skip(88); // sub_layer profile space .. reserved bits
    if (levelPresent[i]) r.skip(8); // sub_layer_level_idc
  }
  return ptl;
}

/** Reads the 12-byte general profile/tier/level block (also the hvcC bytes 1..12). */
export function readGeneralPtl(r: BitReader): HevcProfileTierLevel {
  const profileSpace = r.u(2);
  const tierFlag = r.flag();
  const profileIdc = r.u(5);
  const compatibilityFlags = r.u(32);
  const constraintFlags: number[] = [];
  for (let i = 0; i < 6; i++) constraintFlags.push(r.u(8));
  const levelIdc = r.u(8);
  return { profileSpace, tierFlag, profileIdc, compatibilityFlags, constraintFlags, levelIdc };
}

/**
 * RFC 6381 codec string for HEVC per ISO 14496-15 Annex E.3, e.g. `hvc1.1.6.L93.B0`:
 * profile space letter + profile, compatibility flags bit-reversed in hex, tier + level,
 * then the constraint bytes in hex with trailing zero bytes dropped.
 */
export function hevcCodecString(ptl: HevcProfileTierLevel, sampleEntry: 'hvc1' | 'hev1' = 'hvc1'): string {
  const space = ['', 'A', 'B', 'C'][ptl.profileSpace] ?? '';
  let reversed = 0;
  for (let j = 0; j < 32; j++) {
    if (Math.floor(ptl.compatibilityFlags / 2 ** (31 - j)) % 2 === 1) reversed += 2 ** j;
  }
  const constraints = [...ptl.constraintFlags];
  while (constraints.length > 0 && constraints[constraints.length - 1] === 0) constraints.pop();
  const tail = constraints.map((b) => `.${b.toString(16).toUpperCase()}`).join('');
  const tier = ptl.tierFlag ? 'H' : 'L';
  return `${sampleEntry}.${space}${ptl.profileIdc}.${reversed.toString(16).toUpperCase()}.${tier}${ptl.levelIdc}${tail}`;
}

const PROFILE_NAMES: Readonly<Record<number, string>> = {
  1: 'Main',
  2: 'Main 10',
  3: 'Main Still Picture',
  4: 'Range Extensions',
  5: 'High Throughput',
  9: 'Screen Content Coding',
};

/** Human-readable HEVC profile name ("Main", "Main 10"...). */
export function hevcProfileName(profileIdc: number): string {
  return PROFILE_NAMES[profileIdc] ?? String(profileIdc);
}

/** HEVC level as written in Annex A: general_level_idc is 30 × the level number ("3.1" for 93). */
export function hevcLevelName(levelIdc: number): string {
  return String(Math.round((levelIdc / 30) * 10) / 10);
}
