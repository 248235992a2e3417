import { amfClassName, withAmfClassName } from './class-name.js';
import { AmfEcmaArray, setProperty } from './types.js';
import type { AmfValue } from './types.js';

/** An AmfValue with every AmfEcmaArray replaced by a plain object. */
export type AmfPlainValue =
  | number
  | boolean
  | string
  | null
  | undefined
  | Date
  | Buffer
  | AmfPlainValue[]
  | { [key: string]: AmfPlainValue };

type Container = AmfValue[] | Record<string, AmfValue>;
type PlainContainer = AmfPlainValue[] | Record<string, AmfPlainValue>;

/**
 * Unwraps AmfEcmaArrays into plain objects, recursively, so metadata reads as `meta.width`;
 * shared and cyclic structure is preserved, and it walks iteratively because references can
 * chain values far deeper than the decoder's nesting limit.
 */
export function amfToPlain(value: AmfValue): AmfPlainValue {
  const copies = new Map<object, PlainContainer>();
  const pending: Array<[Container, PlainContainer]> = [];
  const convert = (v: AmfValue): AmfPlainValue => {
    if (v === null || typeof v !== 'object' || v instanceof Date || v instanceof Uint8Array) return v;
    const known = copies.get(v);
    if (known !== undefined) return known;
    const source: Container = v instanceof AmfEcmaArray ? v.entries : v;
    const copy: PlainContainer = Array.isArray(source) ? [] : {};
    const className = Array.isArray(source) ? undefined : amfClassName(source);
    if (className !== undefined) withAmfClassName(copy, className);
    copies.set(v, copy);
    pending.push([source, copy]);
    return copy;
  };
  const root = convert(value);
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [source, copy] = next;
    if (Array.isArray(source) && Array.isArray(copy)) {
      for (const item of source) copy.push(convert(item));
    } else if (!Array.isArray(source) && !Array.isArray(copy)) {
      for (const key of Object.keys(source)) setProperty(copy, key, convert(source[key]));
    }
  }
  return root;
}
