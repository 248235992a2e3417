export { ChunkReader, DEFAULT_CHUNK_READER_LIMITS, MAX_PEER_CHUNK_SIZE, type ChunkReaderLimits } from './chunk-reader.js';
export { encodeChunks } from './chunk-writer.js';
export { ChunkParseError, MessageTooLargeError } from './errors.js';
