/** A JS value that AMF can carry; AMF3 ByteArrays (and AMF0 values switched to AMF3) appear as `Buffer`. */
export type AmfValue =
  | number
  | boolean
  | string
  | null
  | undefined
  | Date
  | Buffer
  | AmfValue[]
  | AmfObject
  | AmfEcmaArray;

/** An anonymous (or typed, see `amfClassName`) AMF object decoded into a plain JS object. */
export interface AmfObject {
  [key: string]: AmfValue;
}

/** An associative array: AMF0 ECMA array (0x08) or an AMF3 array with named members. */
export class AmfEcmaArray {
  constructor(public readonly entries: Record<string, AmfValue>) {}
}

/** Options shared by the AMF0 and AMF3 decoders. */
export interface AmfDecodeOptions {
  /** Deepest container nesting accepted, 0..1024; default 64. */
  maxDepth?: number;
}

/** Nesting accepted when the caller does not say. */
export const DEFAULT_MAX_DEPTH = 64;

/** Decoders recurse once per level, so a larger limit could itself overflow the stack. */
const MAX_MAX_DEPTH = 1024;

/** Validates `options.maxDepth` and returns the limit to apply. */
export function resolveMaxDepth(options: AmfDecodeOptions | undefined): number {
  const maxDepth = options?.maxDepth ?? DEFAULT_MAX_DEPTH;
  if (!Number.isInteger(maxDepth) || maxDepth < 0 || maxDepth > MAX_MAX_DEPTH) {
    throw new RangeError(`maxDepth must be an integer in 0..${MAX_MAX_DEPTH}, got ${maxDepth}`);
  }
  return maxDepth;
}

/** Stores `value` under `key` as an own property, even when the key is `__proto__`. */
export function setProperty<T>(target: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}
