import { ParseError } from '../../base/index.js';

/** One ISOBMFF box as read back: its type, where it starts, and its body (after the 8-byte header). */
export interface Mp4Box {
  type: string;
  /** Offset of the box header in the buffer that was read. */
  offset: number;
  size: number;
  body: Buffer;
}

/**
 * Lists the boxes laid end to end in `buf` (a file, or a box body from `from`); used by tests
 * and diagnostics to check what the muxer wrote. Only 32-bit sizes, which is all we write.
 */
export function readBoxes(buf: Buffer, from = 0, base = 0): Mp4Box[] {
  const boxes: Mp4Box[] = [];
  let pos = from;
  while (pos < buf.length) {
    if (pos + 8 > buf.length) throw new ParseError('box header truncated', base + pos);
    const size = buf.readUInt32BE(pos);
    if (size < 8 || pos + size > buf.length) throw new ParseError(`box size ${size} out of range`, base + pos);
    boxes.push({ type: buf.toString('latin1', pos + 4, pos + 8), offset: base + pos, size, body: buf.subarray(pos + 8, pos + size) });
    pos += size;
  }
  return boxes;
}

/**
 * Follows a path of box types from the top of `buf` (`'moov/trak/mdia'`), taking the first match
 * at each level; `skip` says how many body bytes precede the children of a box type (FullBox
 * headers, sample entry fields). Throws when a box is missing.
 */
export function findBox(buf: Buffer, path: string, skip: Readonly<Record<string, number>> = CHILD_OFFSETS): Mp4Box {
  let children = readBoxes(buf);
  let found: Mp4Box | undefined;
  for (const type of path.split('/')) {
    found = children.find((b) => b.type === type);
    if (!found) throw new ParseError(`no ${type} box on the path ${path}`, 0);
    const at = skip[type] ?? 0;
    children = at < found.body.length ? safeChildren(found, at) : [];
  }
  if (!found) throw new ParseError(`empty path`, 0);
  return found;
}

function safeChildren(box: Mp4Box, at: number): Mp4Box[] {
  try {
    return readBoxes(box.body, at, box.offset + 8);
  } catch {
    // leaf boxes have fields, not children: only the next path step can tell
    return [];
  }
}

/** Body bytes before the child boxes of the containers we read into. */
export const CHILD_OFFSETS: Readonly<Record<string, number>> = {
  stsd: 8, // version/flags + entry_count
  dref: 8,
  avc1: 78, // VisualSampleEntry fields (§12.1.3.2)
  hvc1: 78,
  av01: 78,
  mp4a: 28, // AudioSampleEntry fields (§12.2.3.2)
  Opus: 28,
};
