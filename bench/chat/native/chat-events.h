/* Finding chat messages in what the servers send, the way bench/chat/loadgen.mjs counted them:
 * ZenLive coalesces a tick's events into one text frame, one JSON object per line, and a message
 * event carries the marker "type":"message"; Socket.IO sends each event as its own engine.io
 * packet `42["message",{...}]`. The poster's content is "SEQ SENT_MS". */
#ifndef CHAT_READER_CHAT_EVENTS_H
#define CHAT_READER_CHAT_EVENTS_H

#include <stddef.h>
#include <stdint.h>

/* Called once per chat message; stamped is 0 when its content is not "SEQ SENT_MS". */
typedef void (*message_fn)(void *ctx, int stamped, long long seq, double sent_ms);

/* Counts the message events in one ZenLive frame payload, calling fn for each; returns the count. */
unsigned zenlive_scan(const uint8_t *p, size_t n, message_fn fn, void *ctx);

/* Reads "SEQ SENT_MS" from the "content" string found in p[0..n); returns 1 when found. */
int content_stamp(const uint8_t *p, size_t n, long long *seq, double *sent_ms);

/* What one engine.io packet (one WebSocket text frame) is, for a Socket.IO client. */
enum sio_packet {
  SIO_OTHER,
  SIO_OPEN,          /* "0{...}": engine.io handshake, answer with the namespace connect "40" */
  SIO_PING,          /* "2": answer "3" */
  SIO_CONNECTED,     /* "40...": joined the default namespace */
  SIO_MESSAGE,       /* "42[\"message\",...]" */
  SIO_CONNECT_ERROR, /* "44...": the namespace refused us */
  SIO_CLOSE,         /* "1" (engine close) or "41" (namespace disconnect) */
};

enum sio_packet socketio_classify(const uint8_t *p, size_t n);

#endif
