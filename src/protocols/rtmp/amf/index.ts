export { AmfEcmaArray, DEFAULT_MAX_DEPTH, type AmfDecodeOptions, type AmfObject, type AmfValue } from './types.js';
export { AmfEncodeError, AmfParseError } from './errors.js';
export { amfClassName, withAmfClassName } from './class-name.js';
export { amfToPlain, type AmfPlainValue } from './to-plain.js';
export { Amf0Reader, decodeAmf0 } from './amf0-decoder.js';
export { Amf0Writer, encodeAmf0 } from './amf0-encoder.js';
export { Amf3Reader, decodeAmf3 } from './amf3-decoder.js';
export { Amf3Writer, encodeAmf3 } from './amf3-encoder.js';
