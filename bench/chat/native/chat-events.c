#define _GNU_SOURCE
#include "chat-events.h"

#include <string.h>

static const char MESSAGE_MARK[] = "\"type\":\"message\"";
static const char CONTENT_KEY[] = "\"content\":\"";
static const char SIO_MESSAGE_PREFIX[] = "42[\"message\",";

int content_stamp(const uint8_t *p, size_t n, long long *seq, double *sent_ms) {
  const uint8_t *k = memmem(p, n, CONTENT_KEY, sizeof CONTENT_KEY - 1);
  if (k == NULL) return 0;
  const uint8_t *q = k + sizeof CONTENT_KEY - 1;
  const uint8_t *end = p + n;
  long long s = 0;
  const uint8_t *digits = q;
  while (q < end && *q >= '0' && *q <= '9') s = s * 10 + (*q++ - '0');
  if (q == digits || q >= end || *q != ' ') return 0;
  q++;
  double whole = 0;
  digits = q;
  while (q < end && *q >= '0' && *q <= '9') whole = whole * 10 + (*q++ - '0');
  if (q == digits) return 0;
  if (q < end && *q == '.') {
    double scale = 0.1;
    for (q++; q < end && *q >= '0' && *q <= '9'; q++, scale /= 10) whole += (*q - '0') * scale;
  }
  /* the stamp must fill the string: anything else is some other content */
  if (q >= end || *q != '"') return 0;
  *seq = s;
  *sent_ms = whole;
  return 1;
}

unsigned zenlive_scan(const uint8_t *p, size_t n, message_fn fn, void *ctx) {
  const size_t mark_len = sizeof MESSAGE_MARK - 1;
  const uint8_t *end = p + n;
  const uint8_t *from = p;
  unsigned count = 0;
  for (;;) {
    const uint8_t *m = memmem(from, (size_t)(end - from), MESSAGE_MARK, mark_len);
    if (m == NULL) return count;
    count++;
    /* the content of this event is on its own line: the frame joins events with '\n' */
    const uint8_t *line = m;
    while (line > p && line[-1] != '\n') line--;
    const uint8_t *line_end = memchr(m, '\n', (size_t)(end - m));
    if (line_end == NULL) line_end = end;
    long long seq = 0;
    double sent = 0;
    int stamped = content_stamp(line, (size_t)(line_end - line), &seq, &sent);
    fn(ctx, stamped, seq, sent);
    from = m + mark_len;
  }
}

enum sio_packet socketio_classify(const uint8_t *p, size_t n) {
  if (n == 0) return SIO_OTHER;
  if (p[0] == '0') return SIO_OPEN;
  if (p[0] == '1') return SIO_CLOSE;
  if (p[0] == '2' && n == 1) return SIO_PING;
  if (p[0] != '4' || n < 2) return SIO_OTHER;
  switch (p[1]) {
    case '0':
      return SIO_CONNECTED;
    case '1':
      return SIO_CLOSE;
    case '4':
      return SIO_CONNECT_ERROR;
    case '2':
      if (n >= sizeof SIO_MESSAGE_PREFIX - 1 && memcmp(p, SIO_MESSAGE_PREFIX, sizeof SIO_MESSAGE_PREFIX - 1) == 0) return SIO_MESSAGE;
      return SIO_OTHER;
    default:
      return SIO_OTHER;
  }
}
