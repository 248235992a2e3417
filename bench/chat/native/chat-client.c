#define _GNU_SOURCE
#include "chat-client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "chat-events.h"
#include "ws-frame.h"

#define READ_CHUNK (64 * 1024)

struct client_config client_config;
struct client_stats client_stats;

static struct conn *conns;
static int ep;
static uint8_t *rbuf; /* one read buffer for every client: only incomplete tails are kept per client */
static size_t rcap = 256 * 1024;
static double now_real; /* CLOCK_REALTIME ms of the read being handled */
static int logged_failures;
static uint64_t rng;

void reader_die(const char *what) {
  fprintf(stderr, "chat-reader: %s: %s\n", what, strerror(errno));
  exit(1);
}

void clients_init(int epoll_fd, struct conn *base, uint64_t seed) {
  ep = epoll_fd;
  conns = base;
  rng = seed | 1;
  rbuf = malloc(rcap);
  if (rbuf == NULL) reader_die("malloc");
}

static uint32_t next_random(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (uint32_t)(rng >> 16);
}

static void *grow(void *p, uint32_t *cap, size_t need) {
  if (need <= *cap) return p;
  size_t c = *cap ? *cap : 256;
  while (c < need) c *= 2;
  p = realloc(p, c);
  if (p == NULL) reader_die("realloc");
  *cap = (uint32_t)c;
  return p;
}

static void release(struct conn *c) {
  free(c->pend);
  free(c->frag);
  free(c->out);
  c->pend = c->frag = c->out = NULL;
  c->pend_len = c->pend_cap = c->frag_len = c->frag_cap = c->out_len = 0;
}

void client_finish(struct conn *c, const char *why) {
  if (c->state == C_DONE) return;
  if (c->state == C_READY) client_stats.closed++;
  else client_stats.failed++;
  if (logged_failures < 5) {
    logged_failures++;
    fprintf(stderr, "chat-reader: client %ld %s: %s\n", (long)(c - conns), c->state == C_READY ? "disconnected" : "failed", why);
  }
  if (c->fd >= 0) close(c->fd); /* closing also removes it from the epoll set */
  c->fd = -1;
  c->state = C_DONE;
  release(c);
}

static void watch(struct conn *c, int op, uint32_t events) {
  struct epoll_event ev = {.events = events, .data.u64 = (uint64_t)(c - conns)};
  if (epoll_ctl(ep, op, c->fd, &ev) < 0) reader_die("epoll_ctl");
}

static void send_bytes(struct conn *c, const uint8_t *b, size_t n) {
  if (c->out_len == 0) {
    ssize_t w = send(c->fd, b, n, MSG_NOSIGNAL);
    if (w == (ssize_t)n) return;
    if (w < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        client_finish(c, strerror(errno));
        return;
      }
      w = 0;
    }
    b += w;
    n -= (size_t)w;
    watch(c, EPOLL_CTL_MOD, EPOLLIN | EPOLLOUT);
  }
  uint32_t cap = c->out_len; /* out is exactly as big as what it holds */
  c->out = grow(c->out, &cap, c->out_len + n);
  memcpy(c->out + c->out_len, b, n);
  c->out_len += (uint32_t)n;
}

static void flush_out(struct conn *c) {
  ssize_t w = send(c->fd, c->out, c->out_len, MSG_NOSIGNAL);
  if (w < 0) {
    if (errno != EAGAIN && errno != EWOULDBLOCK) client_finish(c, strerror(errno));
    return;
  }
  memmove(c->out, c->out + w, c->out_len - (size_t)w);
  c->out_len -= (uint32_t)w;
  if (c->out_len == 0) {
    free(c->out);
    c->out = NULL;
    watch(c, EPOLL_CTL_MOD, EPOLLIN);
  }
}

static void send_frame(struct conn *c, int opcode, const void *payload, size_t len) {
  uint8_t frame[125 + 14]; /* controls and engine.io replies are short */
  send_bytes(c, frame, ws_build_client_frame(frame, opcode, payload, len, next_random()));
}

static void send_upgrade(struct conn *c) {
  static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  uint8_t raw[18] = {0};
  for (int i = 0; i < 16; i++) raw[i] = (uint8_t)next_random();
  char key[25];
  for (int i = 0, j = 0; i < 18; i += 3) {
    uint32_t v = ((uint32_t)raw[i] << 16) | ((uint32_t)raw[i + 1] << 8) | raw[i + 2];
    key[j++] = b64[(v >> 18) & 63];
    key[j++] = b64[(v >> 12) & 63];
    key[j++] = b64[(v >> 6) & 63];
    key[j++] = b64[v & 63];
  }
  key[22] = key[23] = '='; /* 16 bytes: the last group holds one byte */
  key[24] = 0;
  char req[1024];
  int n = snprintf(req, sizeof req,
                   "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n",
                   client_config.path, client_config.port, key);
  c->state = C_UPGRADING;
  send_bytes(c, (const uint8_t *)req, (size_t)n);
}

static void make_ready(struct conn *c) {
  c->state = C_READY;
  client_stats.ready++;
}

static void on_message_event(void *ctx, int stamped, long long seq, double sent_ms) {
  struct conn *c = ctx;
  c->messages++;
  client_stats.messages++;
  if (!stamped) {
    client_stats.unstamped++;
    return;
  }
  if (seq <= c->last_seq) c->out_of_order++;
  c->last_seq = seq;
  if (seq >= client_config.seq_from && (client_config.seq_to < 0 || seq <= client_config.seq_to)) hist_add(&client_stats.hist, now_real - sent_ms);
}

static void on_zenlive(struct conn *c, const uint8_t *p, size_t n) {
  if (c->state == C_OPEN) {
    if (memmem(p, n, "\"type\":\"joined\"", 15) != NULL) {
      make_ready(c);
    } else if (memmem(p, n, "\"type\":\"error\"", 14) != NULL) {
      fprintf(stderr, "chat-reader: server error: %.*s\n", (int)(n > 200 ? 200 : n), (const char *)p);
      client_finish(c, "error event before joining");
      return;
    }
  }
  if (c->state == C_READY) zenlive_scan(p, n, on_message_event, c);
}

static void on_socketio(struct conn *c, const uint8_t *p, size_t n) {
  switch (socketio_classify(p, n)) {
    case SIO_OPEN:
      send_frame(c, WS_TEXT, "40", 2);
      return;
    case SIO_PING:
      send_frame(c, WS_TEXT, "3", 1);
      return;
    case SIO_CONNECTED:
      if (c->state == C_OPEN) make_ready(c);
      return;
    case SIO_MESSAGE:
      if (c->state == C_READY) {
        long long seq = 0;
        double sent = 0;
        int stamped = content_stamp(p, n, &seq, &sent);
        on_message_event(c, stamped, seq, sent);
      }
      return;
    case SIO_CONNECT_ERROR:
      client_finish(c, "namespace connect refused");
      return;
    case SIO_CLOSE:
      client_finish(c, "session closed by server");
      return;
    case SIO_OTHER:
      return;
  }
}

static void on_data_message(struct conn *c, const uint8_t *p, size_t n) {
  if (client_config.protocol == P_ZENLIVE) on_zenlive(c, p, n);
  else on_socketio(c, p, n);
}

static void on_frame(struct conn *c, const struct ws_frame *f) {
  switch (f->opcode) {
    case WS_PING:
      send_frame(c, WS_PONG, f->payload, f->len);
      return;
    case WS_PONG:
      return;
    case WS_CLOSE: {
      /* §5.5.1: echo the status code, then the connection is over for us */
      send_frame(c, WS_CLOSE, f->payload, f->len >= 2 ? 2 : 0);
      char why[48];
      snprintf(why, sizeof why, "close frame %d", f->len >= 2 ? (f->payload[0] << 8) | f->payload[1] : 1005);
      client_finish(c, why);
      return;
    }
    case WS_TEXT:
    case WS_BINARY:
      if (c->in_frag) {
        client_finish(c, "data frame inside a fragmented message");
        return;
      }
      if (f->fin) {
        on_data_message(c, f->payload, f->len);
        return;
      }
      c->in_frag = 1;
      c->frag_len = 0;
      __attribute__((fallthrough)); /* the first fragment is appended like the rest */
    case WS_CONT:
      if (!c->in_frag) {
        client_finish(c, "continuation without a message");
        return;
      }
      if ((uint64_t)c->frag_len + f->len > WS_MAX_FRAME) {
        client_finish(c, "fragmented message too large");
        return;
      }
      c->frag = grow(c->frag, &c->frag_cap, c->frag_len + f->len);
      memcpy(c->frag + c->frag_len, f->payload, f->len);
      c->frag_len += (uint32_t)f->len;
      if (f->fin) {
        c->in_frag = 0;
        on_data_message(c, c->frag, c->frag_len);
      }
      return;
    default:
      client_finish(c, "unknown opcode");
  }
}

/* Handles what the socket has: the response head until the upgrade, then whole frames; keeps an
 * incomplete tail for the next read. */
static void on_readable(struct conn *c) {
  size_t have = c->pend_len;
  if (rcap < have + READ_CHUNK) {
    while (rcap < have + READ_CHUNK) rcap *= 2;
    free(rbuf);
    rbuf = malloc(rcap);
    if (rbuf == NULL) reader_die("malloc");
  }
  if (have) memcpy(rbuf, c->pend, have);
  ssize_t n = recv(c->fd, rbuf + have, rcap - have, 0);
  if (n == 0) {
    client_finish(c, "connection closed by server");
    return;
  }
  if (n < 0) {
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) client_finish(c, strerror(errno));
    return;
  }
  client_stats.bytes_read += (uint64_t)n;
  now_real = clock_ms(CLOCK_REALTIME);
  size_t total = have + (size_t)n, off = 0;
  if (c->state == C_UPGRADING) {
    uint8_t *end = memmem(rbuf, total, "\r\n\r\n", 4);
    if (end == NULL) {
      if (total > 16384) client_finish(c, "response head too long");
      else goto keep;
      return;
    }
    if (total < 12 || memcmp(rbuf, "HTTP/1.1 101", 12) != 0) {
      uint8_t *eol = memmem(rbuf, total, "\r\n", 2);
      fprintf(stderr, "chat-reader: upgrade refused: %.*s\n", (int)(eol - rbuf), (const char *)rbuf);
      client_finish(c, "upgrade refused");
      return;
    }
    c->state = C_OPEN;
    off = (size_t)(end - rbuf) + 4;
  }
  while (off < total) {
    struct ws_frame f;
    long r = ws_parse_frame(rbuf + off, total - off, &f);
    if (r == 0) break;
    if (r < 0) {
      client_finish(c, "invalid frame");
      return;
    }
    off += (size_t)r;
    on_frame(c, &f);
    if (c->state == C_DONE) return;
  }
keep:
  c->pend_len = (uint32_t)(total - off);
  if (c->pend_len == 0 && c->pend_cap > READ_CHUNK) {
    free(c->pend); /* one large frame should not pin its memory on every client */
    c->pend = NULL;
    c->pend_cap = 0;
  }
  if (c->pend_len) {
    c->pend = grow(c->pend, &c->pend_cap, c->pend_len);
    memcpy(c->pend, rbuf + off, c->pend_len);
  }
}

static void on_connected(struct conn *c) {
  int err = 0;
  socklen_t len = sizeof err;
  if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err != 0) {
    client_finish(c, strerror(err ? err : errno));
    return;
  }
  watch(c, EPOLL_CTL_MOD, EPOLLIN);
  send_upgrade(c);
}

void client_start(struct conn *c, double now_ms) {
  c->started_ms = (uint32_t)now_ms;
  c->state = C_CONNECTING;
  c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (c->fd < 0) {
    client_finish(c, strerror(errno));
    return;
  }
  int one = 1;
  setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)client_config.port)};
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(c->fd, (struct sockaddr *)&sa, sizeof sa) == 0) {
    watch(c, EPOLL_CTL_ADD, EPOLLIN);
    send_upgrade(c);
  } else if (errno == EINPROGRESS) {
    watch(c, EPOLL_CTL_ADD, EPOLLOUT);
  } else {
    client_finish(c, strerror(errno));
  }
}

void client_on_event(struct conn *c, uint32_t events) {
  if (c->state == C_DONE) return;
  if (c->state == C_CONNECTING) {
    on_connected(c);
    return;
  }
  if ((events & EPOLLOUT) && c->out_len) flush_out(c);
  if (c->state != C_DONE && (events & (EPOLLIN | EPOLLHUP | EPOLLERR))) on_readable(c);
}
