export { BitReader } from './bit-reader.js';
export { BitWriter } from './bit-writer.js';
export { ByteReader } from './byte-reader.js';
export { removeEmulationPrevention, addEmulationPrevention } from './emulation-prevention.js';
