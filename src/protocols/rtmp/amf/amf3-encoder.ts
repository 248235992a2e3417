import { ByteWriter } from './byte-writer.js';
import { amfClassName } from './class-name.js';
import { AmfEncodeError } from './errors.js';
import { AMF3_INT_MAX, AMF3_INT_MIN, Amf3Marker } from './markers.js';
import { isPlainObject, MAX_ENCODE_DEPTH } from './encode-checks.js';
import { AmfEcmaArray } from './types.js';
import type { AmfValue } from './types.js';

// Lengths and reference indices travel in a U29 beside one flag bit (§1.3.1).
const MAX_U28 = 0x0fffffff;

/**
 * Writes AMF3 values with shared reference tables: repeated strings, repeated objects (which
 * also makes cycles encodable) and repeated anonymous traits are sent as references (§2.2).
 */
export class Amf3Writer {
  private readonly strings = new Map<string, number>();
  private readonly objects = new Map<object, number>();
  private readonly traits = new Map<string, number>();

  constructor(private readonly out: ByteWriter = new ByteWriter()) {}

  /** Appends one value. */
  write(value: AmfValue, depth = 0): void {
    const out = this.out;
    if (depth > MAX_ENCODE_DEPTH) throw new AmfEncodeError(`AMF3 value nested deeper than ${MAX_ENCODE_DEPTH}`);
    switch (typeof value) {
      case 'undefined':
        return out.u8(Amf3Marker.Undefined);
      case 'boolean':
        return out.u8(value ? Amf3Marker.True : Amf3Marker.False);
      case 'number':
        return this.number(value);
      case 'string':
        out.u8(Amf3Marker.String);
        return this.string(value);
      case 'object':
        break;
      default:
        throw new AmfEncodeError(`AMF3 cannot carry a ${typeof value}`);
    }
    if (value === null) return out.u8(Amf3Marker.Null);
    if (value instanceof Date) {
      out.u8(Amf3Marker.Date);
      if (this.reference(value)) return;
      out.u29(1); // §3.10: U29D-value, the remaining bits unused
      return out.f64(value.getTime());
    }
    if (value instanceof Uint8Array) {
      out.u8(Amf3Marker.ByteArray);
      if (this.reference(value)) return;
      out.u29((this.checkLength(value.length, 'byte array') << 1) | 1);
      return out.bytes(value);
    }
    if (Array.isArray(value)) {
      out.u8(Amf3Marker.Array);
      if (this.reference(value)) return;
      out.u29((this.checkLength(value.length, 'array') << 1) | 1);
      out.u29(1); // empty associative part
      for (const item of value) this.write(item, depth + 1);
      return;
    }
    if (value instanceof AmfEcmaArray) {
      out.u8(Amf3Marker.Array);
      if (this.reference(value)) return;
      out.u29(1); // no dense part: every entry goes by name
      this.members(value.entries, depth);
      return;
    }
    if (!isPlainObject(value)) throw new AmfEncodeError('AMF3 carries plain objects only');
    out.u8(Amf3Marker.Object);
    if (this.reference(value)) return;
    this.dynamicTraits(amfClassName(value) ?? '');
    this.members(value, depth);
  }

  /** The bytes written so far. */
  finish(): Buffer {
    return this.out.finish();
  }

  private number(value: number): void {
    // §3.6: integers outside 29 bits, fractions, NaN and -0 must go as doubles.
    if (Number.isInteger(value) && value >= AMF3_INT_MIN && value <= AMF3_INT_MAX && !Object.is(value, -0)) {
      this.out.u8(Amf3Marker.Integer);
      this.out.u29(value & 0x1fffffff);
    } else {
      this.out.u8(Amf3Marker.Double);
      this.out.f64(value);
    }
  }

  /** UTF-8-vr (§1.3.2): the empty string is always inline and never joins the table. */
  private string(s: string): void {
    if (s === '') return this.out.u29(1);
    const index = this.strings.get(s);
    if (index !== undefined) return this.out.u29(index << 1);
    const length = Buffer.byteLength(s, 'utf8');
    this.out.u29((this.checkLength(length, 'string') << 1) | 1);
    this.out.utf8(s, length);
    if (this.strings.size <= MAX_U28) this.strings.set(s, this.strings.size);
  }

  /** Writes a reference if `value` was written before, else registers it and returns false. */
  private reference(value: object): boolean {
    const index = this.objects.get(value);
    if (index !== undefined) {
      this.out.u29(index << 1);
      return true;
    }
    if (this.objects.size <= MAX_U28) this.objects.set(value, this.objects.size);
    return false;
  }

  /** §3.12: dynamic traits with no sealed members, sent inline once and then by reference. */
  private dynamicTraits(className: string): void {
    const index = this.traits.get(className);
    if (index !== undefined) return this.out.u29((index << 2) | 0b01);
    this.out.u29(0b1011); // inline object, inline traits, not externalizable, dynamic, 0 sealed
    this.string(className);
    if (this.traits.size <= MAX_U28 >>> 1) this.traits.set(className, this.traits.size);
  }

  /** Dynamic or associative members, closed by the empty name (§3.11, §3.12). */
  private members(entries: Record<string, AmfValue>, depth: number): void {
    for (const key of Object.keys(entries)) {
      // The empty name is the terminator, so it cannot name a member.
      if (key === '') throw new AmfEncodeError('AMF3 cannot carry a member named ""');
      this.string(key);
      this.write(entries[key], depth + 1);
    }
    this.out.u29(1);
  }

  private checkLength(length: number, what: string): number {
    if (length > MAX_U28) throw new AmfEncodeError(`AMF3 ${what} of ${length} exceeds ${MAX_U28}`);
    return length;
  }
}

/** Encodes `values` back to back as AMF3, sharing one set of reference tables. */
export function encodeAmf3(values: readonly AmfValue[]): Buffer {
  const writer = new Amf3Writer();
  for (const value of values) writer.write(value);
  return writer.finish();
}
