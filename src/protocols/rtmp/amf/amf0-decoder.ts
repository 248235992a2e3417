import { Amf3Reader } from './amf3-decoder.js';
import { ByteReader } from './byte-reader.js';
import { withAmfClassName } from './class-name.js';
import { Amf0Marker } from './markers.js';
import { AmfEcmaArray, resolveMaxDepth, setProperty } from './types.js';
import type { AmfDecodeOptions, AmfObject, AmfValue } from './types.js';

/**
 * Reads AMF0 values one at a time, as the RTMP command layer needs (name, transaction id,
 * command object, then optional arguments); references resolve across the reader's lifetime.
 */
export class Amf0Reader {
  private readonly input: ByteReader;
  private readonly maxDepth: number;
  // §2.9: objects, typed objects, ECMA arrays and strict arrays, in order of appearance.
  private readonly complex: AmfValue[] = [];

  constructor(buf: Buffer, options?: AmfDecodeOptions) {
    this.input = new ByteReader(buf);
    this.maxDepth = resolveMaxDepth(options);
  }

  /** Byte offset of the next value. */
  get offset(): number {
    return this.input.offset;
  }

  /** Bytes not yet read. */
  get remaining(): number {
    return this.input.remaining;
  }

  /** Decodes the next value. */
  readValue(): AmfValue {
    return this.value(0);
  }

  /** Decodes values until the end of the buffer. */
  readAll(): AmfValue[] {
    const values: AmfValue[] = [];
    while (this.input.remaining > 0) values.push(this.value(0));
    return values;
  }

  private value(depth: number): AmfValue {
    const input = this.input;
    const at = input.offset;
    const marker = input.u8('AMF0 type marker');
    switch (marker) {
      case Amf0Marker.Number:
        return input.f64('AMF0 number');
      case Amf0Marker.Boolean:
        return input.u8('AMF0 boolean') !== 0;
      case Amf0Marker.String:
        return input.utf8(input.u16('AMF0 string length'), 'AMF0 string');
      case Amf0Marker.Object:
        return this.properties(this.enter(depth, at), {});
      case Amf0Marker.Null:
        return null;
      case Amf0Marker.Undefined:
      case Amf0Marker.Unsupported:
        return undefined;
      case Amf0Marker.Reference: {
        const index = input.u16('AMF0 reference');
        if (index >= this.complex.length) {
          throw input.error(`AMF0 reference ${index} out of range (${this.complex.length} objects)`, at);
        }
        return this.complex[index];
      }
      case Amf0Marker.EcmaArray: {
        const inner = this.enter(depth, at);
        // §2.10: the count is only a hint; ffmpeg and OBS write it, the object-end terminates.
        input.u32('AMF0 ECMA array count');
        const array = new AmfEcmaArray({});
        this.complex.push(array);
        this.properties(inner, array.entries, false);
        return array;
      }
      case Amf0Marker.StrictArray:
        return this.strictArray(this.enter(depth, at));
      case Amf0Marker.Date: {
        const ms = input.f64('AMF0 date');
        // §2.13: the time zone is reserved (should be 0) and the time is UTC, so it is skipped.
        input.i16('AMF0 date time zone');
        return new Date(ms);
      }
      case Amf0Marker.LongString:
      case Amf0Marker.XmlDocument:
        return input.utf8(input.u32('AMF0 long string length'), 'AMF0 long string');
      case Amf0Marker.TypedObject: {
        const inner = this.enter(depth, at);
        const className = input.utf8(input.u16('AMF0 class name length'), 'AMF0 class name');
        return this.properties(inner, withAmfClassName({}, className));
      }
      case Amf0Marker.AvmPlusObject:
        // §3.1: one AMF3 value follows; each switch starts with empty AMF3 reference tables.
        return new Amf3Reader(input, { maxDepth: this.maxDepth }, depth).readValue();
      case Amf0Marker.ObjectEnd:
        throw input.error('AMF0 object-end marker where a value was expected', at);
      case Amf0Marker.MovieClip:
      case Amf0Marker.RecordSet:
        throw input.error(`AMF0 reserved marker 0x0${marker.toString(16)} is not supported`, at);
      default:
        throw input.error(`unknown AMF0 marker 0x${marker.toString(16).padStart(2, '0')}`, at);
    }
  }

  private enter(depth: number, at: number): number {
    if (depth >= this.maxDepth) throw this.input.error(`AMF0 nesting deeper than ${this.maxDepth}`, at);
    return depth + 1;
  }

  /** Reads `name value` pairs up to the empty name followed by object-end (§2.5). */
  private properties<T extends AmfObject>(inner: number, target: T, register = true): T {
    const input = this.input;
    // Registered before its members so that they may refer back to it.
    if (register) this.complex.push(target);
    while (true) {
      const name = input.utf8(input.u16('AMF0 property name length'), 'AMF0 property name');
      if (name === '' && input.peek('AMF0 object-end marker') === Amf0Marker.ObjectEnd) {
        input.u8('AMF0 object-end marker');
        return target;
      }
      setProperty(target, name, this.value(inner));
    }
  }

  private strictArray(inner: number): AmfValue[] {
    const input = this.input;
    const count = input.u32('AMF0 strict array count');
    // Every element takes at least one byte: refuse a count the buffer cannot back before looping.
    if (count > input.remaining) {
      throw input.error(`AMF0 strict array declares ${count} elements but only ${input.remaining} bytes remain`);
    }
    const list: AmfValue[] = [];
    this.complex.push(list);
    for (let i = 0; i < count; i++) list.push(this.value(inner));
    return list;
  }
}

/** Decodes every AMF0 value in `buf` (a whole command or data message body). */
export function decodeAmf0(buf: Buffer, options?: AmfDecodeOptions): AmfValue[] {
  return new Amf0Reader(buf, options).readAll();
}
