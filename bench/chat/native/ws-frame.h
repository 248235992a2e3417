/* WebSocket framing for a client (RFC 6455 §5.2): split what the server sent into frames, build
 * the masked frames a client must send. No I/O here, so the parser can be fed any byte split. */
#ifndef CHAT_READER_WS_FRAME_H
#define CHAT_READER_WS_FRAME_H

#include <stddef.h>
#include <stdint.h>

enum { WS_CONT = 0x0, WS_TEXT = 0x1, WS_BINARY = 0x2, WS_CLOSE = 0x8, WS_PING = 0x9, WS_PONG = 0xA };

/* Frames above this are treated as a broken stream rather than buffered. */
#define WS_MAX_FRAME ((uint64_t)64 * 1024 * 1024)

struct ws_frame {
  int fin;
  int opcode;
  uint8_t *payload; /* points into the parsed buffer, unmasked in place */
  size_t len;
};

/* Parses the frame at buf[0..n). Returns the bytes it spans (> 0) and fills *f; 0 when the frame
 * is not complete yet; -1 when the stream is not valid WebSocket (reserved bits, oversized frame,
 * fragmented or long control frame). */
long ws_parse_frame(uint8_t *buf, size_t n, struct ws_frame *f);

/* Writes a final, masked client frame into out (room for len + 14 bytes); returns its length. */
size_t ws_build_client_frame(uint8_t *out, int opcode, const uint8_t *payload, size_t len, uint32_t mask);

#endif
