import { ByteReader } from './byte-reader.js';
import { withAmfClassName } from './class-name.js';
import { Amf3Marker } from './markers.js';
import { AmfEcmaArray, resolveMaxDepth, setProperty } from './types.js';
import type { AmfDecodeOptions, AmfObject, AmfValue } from './types.js';

interface Traits {
  className: string;
  dynamic: boolean;
  sealed: string[];
}

const UNSUPPORTED: Record<number, string> = {
  [Amf3Marker.VectorInt]: 'vector-int',
  [Amf3Marker.VectorUint]: 'vector-uint',
  [Amf3Marker.VectorDouble]: 'vector-double',
  [Amf3Marker.VectorObject]: 'vector-object',
  [Amf3Marker.Dictionary]: 'dictionary',
};

/**
 * Reads AMF3 values one at a time; the string, object and traits reference tables
 * (AMF3 spec §2.2) live as long as the reader.
 */
export class Amf3Reader {
  private readonly strings: string[] = [];
  private readonly objects: AmfValue[] = [];
  private readonly traits: Traits[] = [];
  private readonly input: ByteReader;
  private readonly maxDepth: number;
  private readonly baseDepth: number;

  /** `source` is a ByteReader only for the AMF0 switch (0x11), which also passes the depth already entered. */
  constructor(source: Buffer | ByteReader, options?: AmfDecodeOptions, baseDepth = 0) {
    this.input = source instanceof ByteReader ? source : new ByteReader(source);
    this.maxDepth = resolveMaxDepth(options);
    this.baseDepth = baseDepth;
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
    return this.value(this.baseDepth);
  }

  /** Decodes values until the end of the buffer. */
  readAll(): AmfValue[] {
    const values: AmfValue[] = [];
    while (this.input.remaining > 0) values.push(this.value(this.baseDepth));
    return values;
  }

  private value(depth: number): AmfValue {
    const at = this.input.offset;
    const marker = this.input.u8('AMF3 type marker');
    switch (marker) {
      case Amf3Marker.Undefined:
        return undefined;
      case Amf3Marker.Null:
        return null;
      case Amf3Marker.False:
        return false;
      case Amf3Marker.True:
        return true;
      case Amf3Marker.Integer: {
        const u = this.input.u29('AMF3 integer');
        // §3.6: sign-extend the 29-bit two's complement value.
        return u & 0x10000000 ? u - 0x20000000 : u;
      }
      case Amf3Marker.Double:
        return this.input.f64('AMF3 double');
      case Amf3Marker.String:
        return this.string();
      case Amf3Marker.XmlDocument:
      case Amf3Marker.Xml:
        return this.xml();
      case Amf3Marker.Date:
        return this.date();
      case Amf3Marker.Array:
        return this.array(this.enter(depth, at));
      case Amf3Marker.Object:
        return this.object(this.enter(depth, at));
      case Amf3Marker.ByteArray:
        return this.byteArray();
      default: {
        const name = UNSUPPORTED[marker];
        const hex = `0x${marker.toString(16).padStart(2, '0')}`;
        throw this.input.error(
          name ? `AMF3 ${name} (marker ${hex}) is not supported` : `unknown AMF3 marker ${hex}`,
          at,
        );
      }
    }
  }

  private enter(depth: number, at: number): number {
    if (depth >= this.maxDepth) throw this.input.error(`AMF3 nesting deeper than ${this.maxDepth}`, at);
    return depth + 1;
  }

  /**
   * Reads a U29 whose low bit says "inline value" (1) or "reference" (0); a reference is
   * resolved against the object table and returned as `{ ref }` (AMF3 spec §3.10-§3.14).
   */
  private objectHeader(what: string): { ref: AmfValue } | number {
    const at = this.input.offset;
    const header = this.input.u29(`${what} header`);
    if (header & 1) return header >>> 1;
    const index = header >>> 1;
    if (index >= this.objects.length) {
      throw this.input.error(`${what} reference ${index} out of range (${this.objects.length} objects)`, at);
    }
    return { ref: this.objects[index] };
  }

  /** UTF-8-vr (§1.3.2): inline strings join the string table, except the empty string. */
  private string(): string {
    const at = this.input.offset;
    const header = this.input.u29('AMF3 string header');
    if ((header & 1) === 0) {
      const index = header >>> 1;
      const s = this.strings[index];
      if (s === undefined) {
        throw this.input.error(`AMF3 string reference ${index} out of range (${this.strings.length} strings)`, at);
      }
      return s;
    }
    const length = header >>> 1;
    if (length === 0) return '';
    const s = this.input.utf8(length, 'AMF3 string');
    this.strings.push(s);
    return s;
  }

  /** §3.9 and §3.13: XML is carried as its text; it uses the object table, not the string table. */
  private xml(): AmfValue {
    const header = this.objectHeader('AMF3 XML');
    if (typeof header !== 'number') return header.ref;
    const text = this.input.utf8(header, 'AMF3 XML');
    this.objects.push(text);
    return text;
  }

  private date(): AmfValue {
    const header = this.objectHeader('AMF3 date');
    if (typeof header !== 'number') return header.ref;
    const date = new Date(this.input.f64('AMF3 date'));
    this.objects.push(date);
    return date;
  }

  private byteArray(): AmfValue {
    const header = this.objectHeader('AMF3 byte array');
    if (typeof header !== 'number') return header.ref;
    const bytes = this.input.bytes(header, 'AMF3 byte array');
    this.objects.push(bytes);
    return bytes;
  }

  /**
   * §3.11: the associative part comes first and ends with the empty string, then the dense part.
   * Dense-only arrays become JS arrays; any named member makes an AmfEcmaArray whose dense
   * elements sit under the keys "0".."n-1".
   */
  private array(inner: number): AmfValue {
    const header = this.objectHeader('AMF3 array');
    if (typeof header !== 'number') return header.ref;
    const denseCount = header;
    let key = this.string();
    if (key === '') {
      this.needValues(denseCount, 'AMF3 array');
      const list: AmfValue[] = [];
      this.objects.push(list);
      for (let i = 0; i < denseCount; i++) list.push(this.value(inner));
      return list;
    }
    const mixed = new AmfEcmaArray({});
    this.objects.push(mixed);
    while (key !== '') {
      setProperty(mixed.entries, key, this.value(inner));
      key = this.string();
    }
    this.needValues(denseCount, 'AMF3 array');
    for (let i = 0; i < denseCount; i++) setProperty(mixed.entries, String(i), this.value(inner));
    return mixed;
  }

  /** §3.12: sealed members in traits order, then dynamic members until the empty name. */
  private object(inner: number): AmfValue {
    const header = this.objectHeader('AMF3 object');
    if (typeof header !== 'number') return header.ref;
    const traits = this.readTraits(header);
    const obj: AmfObject = {};
    if (traits.className !== '') withAmfClassName(obj, traits.className);
    // Registered before its members so that they may refer back to it.
    this.objects.push(obj);
    this.needValues(traits.sealed.length, 'AMF3 sealed members');
    for (const name of traits.sealed) setProperty(obj, name, this.value(inner));
    if (traits.dynamic) {
      for (let key = this.string(); key !== ''; key = this.string()) {
        setProperty(obj, key, this.value(inner));
      }
    }
    return obj;
  }

  /** `flags` is the object header without its low (inline-object) bit. */
  private readTraits(flags: number): Traits {
    const at = this.input.offset;
    if ((flags & 1) === 0) {
      const index = flags >>> 1;
      const traits = this.traits[index];
      if (traits === undefined) {
        throw this.input.error(`AMF3 traits reference ${index} out of range (${this.traits.length} traits)`, at);
      }
      return traits;
    }
    if (flags & 2) {
      const className = this.string();
      throw this.input.error(`AMF3 externalizable object (class "${className}") cannot be decoded`, at);
    }
    const dynamic = (flags & 4) !== 0;
    const sealedCount = flags >>> 3;
    const className = this.string();
    // Each sealed member name takes at least one byte.
    this.needValues(sealedCount, 'AMF3 sealed member names');
    const sealed: string[] = [];
    for (let i = 0; i < sealedCount; i++) sealed.push(this.string());
    const traits = { className, dynamic, sealed };
    this.traits.push(traits);
    return traits;
  }

  /** Every value takes at least one byte, so a count beyond the bytes left is a lie: fail before looping. */
  private needValues(count: number, what: string): void {
    if (count > this.input.remaining) {
      throw this.input.error(`${what} declares ${count} entries but only ${this.input.remaining} bytes remain`);
    }
  }
}

/** Decodes every AMF3 value in `buf`, sharing one set of reference tables. */
export function decodeAmf3(buf: Buffer, options?: AmfDecodeOptions): AmfValue[] {
  return new Amf3Reader(buf, options).readAll();
}
