/*
 * SRTP protect and send for WebRTC viewers, many packets per call.
 *
 * Why: a WHEP viewer's packets were each handed to a WebRTC stack one call at a time (a crossing
 * into native code, a copy, SRTP, a locked sendto): about 6 µs a packet, and one event loop gives
 * a frame to its viewers one after the other. Here the session keys of a peer whose DTLS ran
 * elsewhere (werift) are kept natively; one call takes a whole frame's payloads for one viewer
 * track, writes each RTP header, encrypts (RFC 7714 AEAD_AES_128_GCM or RFC 3711
 * AES_CM_128_HMAC_SHA1_80 with OpenSSL from the Node binary) and sends the lot with one
 * sendmmsg(2) on the peer's own UDP socket, so ICE keeps seeing one 5-tuple.
 *
 * The caller owns sequence numbers (it keeps them to answer NACKs); the rollover counter follows
 * them here (RFC 3711 §3.3.1). Nothing is allocated per packet. A send that the socket refuses
 * (EAGAIN: its buffer is full) is counted and dropped, as a router would.
 */
#define _GNU_SOURCE
#define NAPI_VERSION 8
#include <node_api.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define PROFILE_CM_SHA1_80 1
#define PROFILE_GCM 7
#define MAX_BATCH 64
#define MAX_PACKET 1500
#define HEADER 12

typedef struct Track {
  int profile;
  uint8_t key[16];
  uint8_t salt[14];
  uint8_t auth[20];
  EVP_CIPHER_CTX *ctx;
  int fd;
  struct sockaddr_storage addr;
  socklen_t addr_len;
  uint32_t ssrc;
  uint8_t payload_type;
  uint32_t roc;
  uint16_t last_seq;
  int started;
  double packets;
  double bytes;
  double dropped;
} Track;

static __thread uint8_t scratch[MAX_BATCH][MAX_PACKET];

#define CHECK(call)                                                            \
  do {                                                                         \
    if ((call) != napi_ok) return NULL;                                        \
  } while (0)

static napi_value throw_error(napi_env env, const char *code, const char *msg) {
  napi_throw_error(env, code, msg);
  return NULL;
}

static int read_buffer(napi_env env, napi_value v, uint8_t **data, size_t *len) {
  bool ok = false;
  if (napi_is_buffer(env, v, &ok) != napi_ok || !ok) return 0;
  return napi_get_buffer_info(env, v, (void **)data, len) == napi_ok;
}

static int set_address(napi_env env, Track *t, napi_value host, napi_value port) {
  char text[64];
  size_t len = 0;
  uint32_t p = 0;
  if (napi_get_value_string_utf8(env, host, text, sizeof text, &len) != napi_ok) return 0;
  if (napi_get_value_uint32(env, port, &p) != napi_ok || p == 0 || p > 65535) return 0;
  memset(&t->addr, 0, sizeof t->addr);
  struct sockaddr_in *v4 = (struct sockaddr_in *)&t->addr;
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&t->addr;
  if (inet_pton(AF_INET, text, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons((uint16_t)p);
    t->addr_len = sizeof *v4;
    return 1;
  }
  if (inet_pton(AF_INET6, text, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons((uint16_t)p);
    t->addr_len = sizeof *v6;
    return 1;
  }
  return 0;
}

static void finalize_track(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  Track *t = data;
  if (t->ctx != NULL) EVP_CIPHER_CTX_free(t->ctx);
  OPENSSL_cleanse(t->key, sizeof t->key);
  OPENSSL_cleanse(t->auth, sizeof t->auth);
  free(t);
}

/* The rollover counter for `seq` (RFC 3711 §3.3.1, sender side): a sequence number far below the
 * last one means it wrapped; one far above it is a resend from before the wrap. */
static uint32_t roc_for(Track *t, uint16_t seq) {
  if (!t->started) {
    t->started = 1;
    t->last_seq = seq;
    return t->roc;
  }
  int32_t delta = (int32_t)seq - (int32_t)t->last_seq;
  if (delta < -0x8000) {
    t->roc++;
    t->last_seq = seq;
    return t->roc;
  }
  if (delta > 0x8000) return t->roc - 1;
  if (delta > 0) t->last_seq = seq;
  return t->roc;
}

/* Writes header and encrypted payload (and tag) into out; returns the packet's length or 0. */
static size_t protect(Track *t, uint8_t *out, const uint8_t *payload, size_t len, uint16_t seq, uint32_t timestamp, int marker) {
  size_t tag = t->profile == PROFILE_GCM ? 16 : 10;
  if (HEADER + len + tag > MAX_PACKET) return 0;
  uint32_t roc = roc_for(t, seq);
  out[0] = 0x80;
  out[1] = (uint8_t)((marker ? 0x80 : 0) | t->payload_type);
  out[2] = (uint8_t)(seq >> 8);
  out[3] = (uint8_t)seq;
  out[4] = (uint8_t)(timestamp >> 24);
  out[5] = (uint8_t)(timestamp >> 16);
  out[6] = (uint8_t)(timestamp >> 8);
  out[7] = (uint8_t)timestamp;
  out[8] = (uint8_t)(t->ssrc >> 24);
  out[9] = (uint8_t)(t->ssrc >> 16);
  out[10] = (uint8_t)(t->ssrc >> 8);
  out[11] = (uint8_t)t->ssrc;
  int n = 0;
  if (t->profile == PROFILE_GCM) {
    /* RFC 7714 §8.1: 00 00 || SSRC || ROC || SEQ, XOR the session salt */
    uint8_t iv[12] = {0, 0, out[8], out[9], out[10], out[11], (uint8_t)(roc >> 24), (uint8_t)(roc >> 16), (uint8_t)(roc >> 8), (uint8_t)roc, out[2], out[3]};
    for (int i = 0; i < 12; i++) iv[i] ^= t->salt[i];
    if (EVP_EncryptInit_ex(t->ctx, NULL, NULL, NULL, iv) != 1) return 0;
    if (EVP_EncryptUpdate(t->ctx, NULL, &n, out, HEADER) != 1) return 0;
    if (EVP_EncryptUpdate(t->ctx, out + HEADER, &n, payload, (int)len) != 1) return 0;
    if (EVP_EncryptFinal_ex(t->ctx, out + HEADER + len, &n) != 1) return 0;
    if (EVP_CIPHER_CTX_ctrl(t->ctx, EVP_CTRL_GCM_GET_TAG, 16, out + HEADER + len) != 1) return 0;
    return HEADER + len + 16;
  }
  /* RFC 3711 §4.1.1: IV = (salt · 2^16) XOR (SSRC · 2^64) XOR (index · 2^16) */
  uint8_t iv[16];
  memcpy(iv, t->salt, 14);
  iv[14] = 0;
  iv[15] = 0;
  for (int i = 0; i < 4; i++) iv[4 + i] ^= out[8 + i];
  uint64_t index = ((uint64_t)roc << 16) | seq;
  for (int i = 0; i < 6; i++) iv[8 + i] ^= (uint8_t)(index >> (40 - 8 * i));
  if (EVP_EncryptInit_ex(t->ctx, NULL, NULL, NULL, iv) != 1) return 0;
  if (EVP_EncryptUpdate(t->ctx, out + HEADER, &n, payload, (int)len) != 1) return 0;
  /* authentication tag: HMAC-SHA1 over the packet and the ROC, first 80 bits */
  uint8_t roc_bytes[4] = {(uint8_t)(roc >> 24), (uint8_t)(roc >> 16), (uint8_t)(roc >> 8), (uint8_t)roc};
  uint8_t mac[20];
  unsigned int mac_len = 0;
  uint8_t *end = out + HEADER + len;
  memcpy(end, roc_bytes, 4);
  if (HMAC(EVP_sha1(), t->auth, 20, out, HEADER + len + 4, mac, &mac_len) == NULL) return 0;
  memcpy(end, mac, 10);
  return HEADER + len + 10;
}

/* Sends `count` packets of scratch with one sendmmsg; what the socket refuses is dropped. */
static void flush(Track *t, size_t *lengths, int count) {
  struct mmsghdr msgs[MAX_BATCH];
  struct iovec iov[MAX_BATCH];
  memset(msgs, 0, sizeof(struct mmsghdr) * (size_t)count);
  for (int i = 0; i < count; i++) {
    iov[i].iov_base = scratch[i];
    iov[i].iov_len = lengths[i];
    msgs[i].msg_hdr.msg_name = &t->addr;
    msgs[i].msg_hdr.msg_namelen = t->addr_len;
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  int done = 0;
  while (done < count) {
    int r = sendmmsg(t->fd, msgs + done, (unsigned int)(count - done), MSG_DONTWAIT);
    if (r < 0) {
      if (errno == EINTR) continue;
      t->dropped += count - done;
      return;
    }
    for (int i = done; i < done + r; i++) {
      t->packets += 1;
      t->bytes += (double)lengths[i];
    }
    done += r;
  }
}

/* create(profile, sessionKey, sessionSalt, authKey, fd, host, port, ssrc, payloadType) → track */
static napi_value create(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value argv[9];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 9) return throw_error(env, "SRTP_BAD_ARGUMENT", "create needs 9 arguments");
  Track *t = calloc(1, sizeof *t);
  if (t == NULL) return throw_error(env, "SRTP_NO_MEMORY", "out of memory");
  uint32_t profile = 0, fd = 0, ssrc = 0, pt = 0;
  uint8_t *key, *salt, *auth;
  size_t key_len = 0, salt_len = 0, auth_len = 0;
  int ok = napi_get_value_uint32(env, argv[0], &profile) == napi_ok && (profile == PROFILE_CM_SHA1_80 || profile == PROFILE_GCM) &&
           read_buffer(env, argv[1], &key, &key_len) && key_len == 16 &&
           read_buffer(env, argv[2], &salt, &salt_len) && salt_len >= 12 && salt_len <= 14 &&
           read_buffer(env, argv[3], &auth, &auth_len) && (profile == PROFILE_GCM || auth_len == 20) &&
           napi_get_value_uint32(env, argv[4], &fd) == napi_ok && set_address(env, t, argv[5], argv[6]) &&
           napi_get_value_uint32(env, argv[7], &ssrc) == napi_ok && napi_get_value_uint32(env, argv[8], &pt) == napi_ok && pt < 128;
  if (!ok) {
    free(t);
    return throw_error(env, "SRTP_BAD_ARGUMENT", "create(profile 1|7, key[16], salt[12..14], auth[20], fd, host, port, ssrc, payloadType)");
  }
  t->profile = (int)profile;
  memcpy(t->key, key, 16);
  memcpy(t->salt, salt, salt_len);
  if (profile == PROFILE_CM_SHA1_80) memcpy(t->auth, auth, 20);
  t->fd = (int)fd;
  t->ssrc = ssrc;
  t->payload_type = (uint8_t)pt;
  t->ctx = EVP_CIPHER_CTX_new();
  const EVP_CIPHER *cipher = profile == PROFILE_GCM ? EVP_aes_128_gcm() : EVP_aes_128_ctr();
  if (t->ctx == NULL || EVP_EncryptInit_ex(t->ctx, cipher, NULL, t->key, NULL) != 1) {
    finalize_track(env, t, NULL);
    return throw_error(env, "SRTP_CRYPTO", "cipher setup failed");
  }
  napi_value out;
  if (napi_create_external(env, t, finalize_track, NULL, &out) != napi_ok) {
    finalize_track(env, t, NULL);
    return NULL;
  }
  return out;
}

static Track *track_of(napi_env env, napi_value v) {
  void *data = NULL;
  napi_valuetype type;
  if (napi_typeof(env, v, &type) != napi_ok || type != napi_external) return NULL;
  if (napi_get_value_external(env, v, &data) != napi_ok) return NULL;
  return data;
}

/* setPath(track, fd, host, port): where packets go after an ICE restart or pair change; the
 * rollover counter and keys stay (the SRTP session outlives the ICE session) */
static napi_value set_path(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Track *t = argc == 4 ? track_of(env, argv[0]) : NULL;
  uint32_t fd = 0;
  if (t == NULL || napi_get_value_uint32(env, argv[1], &fd) != napi_ok || !set_address(env, t, argv[2], argv[3]))
    return throw_error(env, "SRTP_BAD_ARGUMENT", "setPath(track, fd, host, port)");
  t->fd = (int)fd;
  return NULL;
}

/* sendMany(track, payloads[], firstSeq, timestamp, markerOnLast) → packets handed to the kernel */
static napi_value send_many(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Track *t = argc == 5 ? track_of(env, argv[0]) : NULL;
  uint32_t count = 0, first = 0, timestamp = 0;
  bool marker = false, is_array = false;
  if (t == NULL || napi_is_array(env, argv[1], &is_array) != napi_ok || !is_array || napi_get_array_length(env, argv[1], &count) != napi_ok ||
      napi_get_value_uint32(env, argv[2], &first) != napi_ok || napi_get_value_uint32(env, argv[3], &timestamp) != napi_ok ||
      napi_get_value_bool(env, argv[4], &marker) != napi_ok)
    return throw_error(env, "SRTP_BAD_ARGUMENT", "sendMany(track, payloads, firstSeq, timestamp, markerOnLast)");
  double before = t->packets;
  size_t lengths[MAX_BATCH];
  int batch = 0;
  for (uint32_t i = 0; i < count; i++) {
    napi_value item;
    uint8_t *data;
    size_t len = 0;
    if (napi_get_element(env, argv[1], i, &item) != napi_ok || !read_buffer(env, item, &data, &len))
      return throw_error(env, "SRTP_BAD_ARGUMENT", "payloads must be Buffers");
    size_t n = protect(t, scratch[batch], data, len, (uint16_t)(first + i), timestamp, marker && i == count - 1);
    if (n == 0) {
      t->dropped += 1;
      continue;
    }
    lengths[batch++] = n;
    if (batch == MAX_BATCH) {
      flush(t, lengths, batch);
      batch = 0;
    }
  }
  if (batch > 0) flush(t, lengths, batch);
  napi_value out;
  CHECK(napi_create_uint32(env, (uint32_t)(t->packets - before), &out));
  return out;
}

/* stats(track) → [packets, bytes, dropped] */
static napi_value stats(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Track *t = argc == 1 ? track_of(env, argv[0]) : NULL;
  if (t == NULL) return throw_error(env, "SRTP_BAD_ARGUMENT", "stats(track)");
  napi_value out, v;
  CHECK(napi_create_array_with_length(env, 3, &out));
  double values[3] = {t->packets, t->bytes, t->dropped};
  for (uint32_t i = 0; i < 3; i++) {
    CHECK(napi_create_double(env, values[i], &v));
    CHECK(napi_set_element(env, out, i, v));
  }
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"create", NULL, create, NULL, NULL, NULL, napi_default, NULL},
      {"setPath", NULL, set_path, NULL, NULL, NULL, napi_default, NULL},
      {"sendMany", NULL, send_many, NULL, NULL, NULL, napi_default, NULL},
      {"stats", NULL, stats, NULL, NULL, NULL, napi_default, NULL},
  };
  CHECK(napi_define_properties(env, exports, sizeof props / sizeof props[0], props));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
