#include "ws-frame.h"

#include <string.h>

long ws_parse_frame(uint8_t *buf, size_t n, struct ws_frame *f) {
  if (n < 2) return 0;
  int fin = buf[0] >> 7;
  int opcode = buf[0] & 0x0f;
  if (buf[0] & 0x70) return -1; /* no extension was negotiated, so RSV1-3 must be 0 */
  int masked = buf[1] >> 7;
  uint64_t len = buf[1] & 0x7f;
  size_t head = 2;
  if (len == 126) {
    if (n < 4) return 0;
    len = ((uint64_t)buf[2] << 8) | buf[3];
    head = 4;
  } else if (len == 127) {
    if (n < 10) return 0;
    len = 0;
    for (int i = 0; i < 8; i++) len = (len << 8) | buf[2 + i];
    head = 10;
  }
  if (len > WS_MAX_FRAME) return -1;
  /* §5.5: control frames are final and carry at most 125 bytes */
  if ((opcode & 0x8) && (!fin || len > 125)) return -1;
  /* a server must not mask (§5.1), but unmasking costs nothing and keeps us lenient */
  uint8_t key[4] = {0, 0, 0, 0};
  if (masked) {
    if (n < head + 4) return 0;
    memcpy(key, buf + head, 4);
    head += 4;
  }
  if (n - head < len) return 0;
  f->fin = fin;
  f->opcode = opcode;
  f->payload = buf + head;
  f->len = (size_t)len;
  if (masked)
    for (size_t i = 0; i < f->len; i++) f->payload[i] ^= key[i & 3];
  return (long)(head + len);
}

size_t ws_build_client_frame(uint8_t *out, int opcode, const uint8_t *payload, size_t len, uint32_t mask) {
  size_t head = 2;
  out[0] = (uint8_t)(0x80 | opcode);
  if (len < 126) {
    out[1] = (uint8_t)(0x80 | len);
  } else if (len < 65536) {
    out[1] = 0x80 | 126;
    out[2] = (uint8_t)(len >> 8);
    out[3] = (uint8_t)len;
    head = 4;
  } else {
    out[1] = 0x80 | 127;
    for (int i = 0; i < 8; i++) out[2 + i] = (uint8_t)((uint64_t)len >> (56 - 8 * i));
    head = 10;
  }
  uint8_t key[4] = {(uint8_t)(mask >> 24), (uint8_t)(mask >> 16), (uint8_t)(mask >> 8), (uint8_t)mask};
  memcpy(out + head, key, 4);
  head += 4;
  for (size_t i = 0; i < len; i++) out[head + i] = payload[i] ^ key[i & 3];
  return head + len;
}
