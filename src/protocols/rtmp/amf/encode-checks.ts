import type { AmfObject } from './types.js';

/** Encoders recurse per level; past this they refuse rather than overflow the stack. */
export const MAX_ENCODE_DEPTH = 1024;

/** True for `{}` literals and `Object.create(null)`: the only objects encoded member by member. */
export function isPlainObject(value: object): value is AmfObject {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
