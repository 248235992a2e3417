export { buildChatReader, CHAT_READER_SOURCES, type BuildChatReaderOptions } from './build-reader.js';
