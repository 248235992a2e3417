import { Amf3Writer } from './amf3-encoder.js';
import { ByteWriter } from './byte-writer.js';
import { amfClassName } from './class-name.js';
import { isPlainObject, MAX_ENCODE_DEPTH } from './encode-checks.js';
import { AmfEncodeError } from './errors.js';
import { Amf0Marker } from './markers.js';
import { AmfEcmaArray } from './types.js';
import type { AmfValue } from './types.js';

/**
 * Writes AMF0 values. Objects are written in full each time they appear, which every peer
 * understands; only a cycle (an object inside itself) is written as a reference (§2.9).
 */
export class Amf0Writer {
  // §2.9: every complex value written counts towards reference indices, in order.
  private complexCount = 0;
  private readonly open = new Map<object, number>();

  constructor(private readonly out: ByteWriter = new ByteWriter()) {}

  /** Appends one value. */
  write(value: AmfValue, depth = 0): void {
    const out = this.out;
    if (depth > MAX_ENCODE_DEPTH) throw new AmfEncodeError(`AMF0 value nested deeper than ${MAX_ENCODE_DEPTH}`);
    switch (typeof value) {
      case 'undefined':
        return out.u8(Amf0Marker.Undefined);
      case 'boolean':
        out.u8(Amf0Marker.Boolean);
        return out.u8(value ? 1 : 0);
      case 'number':
        out.u8(Amf0Marker.Number);
        return out.f64(value);
      case 'string':
        return this.string(value);
      case 'object':
        break;
      default:
        throw new AmfEncodeError(`AMF0 cannot carry a ${typeof value}`);
    }
    if (value === null) return out.u8(Amf0Marker.Null);
    if (value instanceof Date) {
      out.u8(Amf0Marker.Date);
      out.f64(value.getTime());
      return out.i16(0); // §2.13: time zone reserved, 0
    }
    if (value instanceof Uint8Array) {
      // AMF0 has no byte type: switch to AMF3 (§3.1) for a ByteArray with fresh tables.
      out.u8(Amf0Marker.AvmPlusObject);
      return new Amf3Writer(out).write(value);
    }
    if (this.reference(value)) return;
    this.open.set(value, this.complexCount++);
    if (Array.isArray(value)) {
      out.u8(Amf0Marker.StrictArray);
      out.u32(value.length);
      for (const item of value) this.write(item, depth + 1);
    } else if (value instanceof AmfEcmaArray) {
      out.u8(Amf0Marker.EcmaArray);
      out.u32(Object.keys(value.entries).length);
      this.properties(value.entries, depth);
    } else if (isPlainObject(value)) {
      const className = amfClassName(value);
      if (className === undefined) {
        out.u8(Amf0Marker.Object);
      } else {
        out.u8(Amf0Marker.TypedObject);
        this.shortString(className, 'class name');
      }
      this.properties(value, depth);
    } else {
      throw new AmfEncodeError('AMF0 carries plain objects only');
    }
    this.open.delete(value);
  }

  /** The bytes written so far. */
  finish(): Buffer {
    return this.out.finish();
  }

  private reference(value: object): boolean {
    const index = this.open.get(value);
    if (index === undefined) return false;
    if (index > 0xffff) throw new AmfEncodeError(`AMF0 reference index ${index} exceeds 65535`);
    this.out.u8(Amf0Marker.Reference);
    this.out.u16(index);
    return true;
  }

  /** §2.4 and §2.14: a string, or a long string when its UTF-8 form exceeds 65535 bytes. */
  private string(s: string): void {
    const length = Buffer.byteLength(s, 'utf8');
    if (length <= 0xffff) {
      this.out.u8(Amf0Marker.String);
      this.out.u16(length);
    } else {
      this.out.u8(Amf0Marker.LongString);
      this.out.u32(length);
    }
    this.out.utf8(s, length);
  }

  private shortString(s: string, what: string): void {
    const length = Buffer.byteLength(s, 'utf8');
    if (length > 0xffff) throw new AmfEncodeError(`AMF0 ${what} of ${length} UTF-8 bytes exceeds 65535`);
    this.out.u16(length);
    this.out.utf8(s, length);
  }

  /** §2.5: `name value` pairs, then the empty name and object-end. */
  private properties(entries: Record<string, AmfValue>, depth: number): void {
    for (const key of Object.keys(entries)) {
      this.shortString(key, 'property name');
      this.write(entries[key], depth + 1);
    }
    this.out.u16(0);
    this.out.u8(Amf0Marker.ObjectEnd);
  }
}

/** Encodes `values` back to back as AMF0 (a command or data message body). */
export function encodeAmf0(values: readonly AmfValue[]): Buffer {
  const writer = new Amf0Writer();
  for (const value of values) writer.write(value);
  return writer.finish();
}
