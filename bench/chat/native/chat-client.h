/* One chat client of the reader: its connection, upgrade, WebSocket frames and the chat protocol
 * on top (ZenLive's JSON events or Socket.IO's engine.io packets). All clients share one thread,
 * one epoll set and one read buffer; chat-reader.c owns the loop. */
#ifndef CHAT_READER_CHAT_CLIENT_H
#define CHAT_READER_CHAT_CLIENT_H

#include <stdint.h>
#include <time.h>

#include "latency-histogram.h"

enum client_state { C_IDLE, C_CONNECTING, C_UPGRADING, C_OPEN, C_READY, C_DONE };
enum protocol { P_ZENLIVE, P_SOCKETIO };

struct conn {
  int fd;
  uint8_t state; /* enum client_state */
  uint8_t in_frag;
  uint32_t started_ms;
  uint8_t *pend; /* bytes of an incomplete frame (or response head) from the last read */
  uint32_t pend_len, pend_cap;
  uint8_t *frag; /* a fragmented message being assembled */
  uint32_t frag_len, frag_cap;
  uint8_t *out; /* what the socket did not take yet */
  uint32_t out_len;
  uint32_t out_of_order;
  long long last_seq;
  uint64_t messages;
};

/* What every client needs to know, set once before the first one starts. */
struct client_config {
  enum protocol protocol;
  int port;
  const char *path;
  long long seq_from, seq_to; /* latency is recorded for these posts only; seq_to < 0: no end */
};

/* Totals over all clients. */
struct client_stats {
  int ready, failed, closed;
  uint64_t messages, unstamped, bytes_read;
  struct histogram hist;
};

extern struct client_config client_config;
extern struct client_stats client_stats;

static inline double clock_ms(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Exits the process with `what` and errno: for failures of the reader itself, not of a client. */
void reader_die(const char *what);

/* Gives the clients their epoll set and array (epoll data is the index into it) and a seed for
 * WebSocket masks and keys. */
void clients_init(int epoll_fd, struct conn *base, uint64_t seed);

/* Starts connecting; now_ms is the reader's clock, for the connect timeout. */
void client_start(struct conn *c, double now_ms);

/* Handles what epoll reported for this client. */
void client_on_event(struct conn *c, uint32_t events);

/* Ends a client: before it was ready it failed, after that it was disconnected. */
void client_finish(struct conn *c, const char *why);

#endif
