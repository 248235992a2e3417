/*
 * Segments in shared memory, sent to sockets with sendfile(2).
 *
 * Why: a finished HLS segment is immutable and is sent whole to many viewers. Writing it through
 * a Node socket copies every byte into the kernel on every request; a segment that lives in a
 * memfd can be handed to the socket by reference instead (the kernel takes the page-cache pages),
 * which is what nginx does with sendfile. The same pages are mapped read-only into the process,
 * so JavaScript still reads the segment as an ordinary Buffer and it is stored once.
 *
 * A send is first tried on the caller's thread (most responses fit in the socket buffer at once).
 * What does not fit is finished by one sender thread per environment that waits on its own epoll
 * set, on a dup of the socket so that a connection closed by JavaScript in the meantime can never
 * be confused with a new one that got the same descriptor number. Completions go back to
 * JavaScript through one thread-safe function.
 */
#define _GNU_SOURCE
#define NAPI_VERSION 8
#include <node_api.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CHUNK ((size_t)0x7ffff000)

typedef struct Segment {
  void *addr;
  size_t len;
  int fd;
} Segment;

typedef struct Job {
  struct Job *prev, *next;
  uint32_t id;
  int sock;
  int file;
  char *head;
  size_t head_len, head_off;
  off_t off;
  size_t remaining;
  napi_ref keep;
  int error;
  int64_t last_progress_ms;
} Job;

typedef struct Sender {
  pthread_t thread;
  int running;
  int epfd;
  int wakefd;
  pthread_mutex_t lock;
  Job *jobs;
  uint32_t next_id;
  napi_threadsafe_function done;
  int stop;
  int64_t stall_ms;
  int64_t last_scan_ms;
  /* counters, read by stats() */
  int64_t sent_at_once, sent_by_thread, failed;
} Sender;

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static napi_value throw_errno(napi_env env, const char *what, int err) {
  char msg[160];
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
  napi_throw_error(env, "ZEROCOPY_SYSTEM", msg);
  return NULL;
}

#define CHECK(call)                                                   \
  do {                                                                \
    if ((call) != napi_ok) {                                          \
      napi_throw_error(env, "ZEROCOPY_ARGUMENT", "bad arguments: " #call); \
      return NULL;                                                    \
    }                                                                 \
  } while (0)

/* Moves bytes of a job (header first, then file) until done (0), blocked (EAGAIN) or failed (errno). */
static int pump(int sock, const char *head, size_t head_len, size_t *head_off, int file, off_t *off, size_t *remaining) {
  while (*head_off < head_len) {
    ssize_t n = send(sock, head + *head_off, head_len - *head_off, MSG_NOSIGNAL | (*remaining > 0 ? MSG_MORE : 0));
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno == EWOULDBLOCK ? EAGAIN : errno;
    }
    *head_off += (size_t)n;
  }
  while (*remaining > 0) {
    ssize_t n = sendfile(sock, file, off, *remaining > MAX_CHUNK ? MAX_CHUNK : *remaining);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno == EWOULDBLOCK ? EAGAIN : errno;
    }
    if (n == 0) return EIO; /* the file is shorter than the caller said */
    *remaining -= (size_t)n;
  }
  return 0;
}

/* ---- shared segments ---- */

/* Process-wide: a segment may outlive the environment that made it (finalizers run at teardown). */
static int64_t live_segments, live_bytes;

static void segment_finalize(napi_env env, void *data, void *hint) {
  (void)data;
  Segment *s = hint;
  munmap(s->addr, s->len);
  close(s->fd);
  __atomic_sub_fetch(&live_segments, 1, __ATOMIC_RELAXED);
  __atomic_sub_fetch(&live_bytes, (int64_t)s->len, __ATOMIC_RELAXED);
  int64_t ignored;
  napi_adjust_external_memory(env, -(int64_t)s->len, &ignored);
  free(s);
}

/* shareParts(parts: Buffer[]): { buffer: Buffer, fd: number } — the parts joined, in a memfd mapped read-only. */
static napi_value share_parts(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  bool is_array = false;
  CHECK(napi_is_array(env, argv[0], &is_array));
  if (!is_array) {
    napi_throw_type_error(env, "ZEROCOPY_ARGUMENT", "parts must be an array of Buffers");
    return NULL;
  }
  uint32_t count = 0;
  CHECK(napi_get_array_length(env, argv[0], &count));
  size_t total = 0;
  for (uint32_t i = 0; i < count; i++) {
    napi_value part;
    void *data;
    size_t len;
    bool is_buffer = false;
    CHECK(napi_get_element(env, argv[0], i, &part));
    CHECK(napi_is_buffer(env, part, &is_buffer));
    if (!is_buffer) {
      napi_throw_type_error(env, "ZEROCOPY_ARGUMENT", "parts must be an array of Buffers");
      return NULL;
    }
    CHECK(napi_get_buffer_info(env, part, &data, &len));
    total += len;
  }
  if (total == 0) {
    napi_throw_range_error(env, "ZEROCOPY_ARGUMENT", "a shared segment cannot be empty");
    return NULL;
  }
  int fd = memfd_create("zenlive-segment", MFD_CLOEXEC);
  if (fd < 0) return throw_errno(env, "memfd_create", errno);
  for (uint32_t i = 0; i < count; i++) {
    napi_value part;
    void *data;
    size_t len;
    CHECK(napi_get_element(env, argv[0], i, &part));
    CHECK(napi_get_buffer_info(env, part, &data, &len));
    size_t done = 0;
    while (done < len) {
      ssize_t n = write(fd, (char *)data + done, len - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        int err = errno;
        close(fd);
        return throw_errno(env, "write to memfd", err);
      }
      done += (size_t)n;
    }
  }
  void *addr = mmap(NULL, total, PROT_READ, MAP_SHARED, fd, 0);
  if (addr == MAP_FAILED) {
    int err = errno;
    close(fd);
    return throw_errno(env, "mmap", err);
  }
  Segment *s = malloc(sizeof *s);
  if (s == NULL) {
    munmap(addr, total);
    close(fd);
    return throw_errno(env, "malloc", ENOMEM);
  }
  s->addr = addr;
  s->len = total;
  s->fd = fd;
  napi_value buffer, fd_value, result;
  if (napi_create_external_buffer(env, total, addr, segment_finalize, s, &buffer) != napi_ok) {
    munmap(addr, total);
    close(fd);
    free(s);
    napi_throw_error(env, "ZEROCOPY_SYSTEM", "external buffers are not available in this runtime");
    return NULL;
  }
  int64_t ignored;
  napi_adjust_external_memory(env, (int64_t)total, &ignored);
  __atomic_add_fetch(&live_segments, 1, __ATOMIC_RELAXED);
  __atomic_add_fetch(&live_bytes, (int64_t)total, __ATOMIC_RELAXED);
  CHECK(napi_create_int32(env, fd, &fd_value));
  CHECK(napi_create_object(env, &result));
  CHECK(napi_set_named_property(env, result, "buffer", buffer));
  CHECK(napi_set_named_property(env, result, "fd", fd_value));
  return result;
}

/* ---- the sender thread ---- */

static void unlink_job(Sender *s, Job *j) {
  if (j->prev != NULL) j->prev->next = j->next;
  else s->jobs = j->next;
  if (j->next != NULL) j->next->prev = j->prev;
  j->prev = j->next = NULL;
}

/* Called with the lock held, on the sender thread only: the job leaves the epoll set and goes back to JavaScript. */
static void finish(Sender *s, Job *j, int err) {
  epoll_ctl(s->epfd, EPOLL_CTL_DEL, j->sock, NULL);
  close(j->sock);
  j->sock = -1;
  j->error = err;
  unlink_job(s, j);
  if (err == 0) __atomic_add_fetch(&s->sent_by_thread, 1, __ATOMIC_RELAXED);
  else __atomic_add_fetch(&s->failed, 1, __ATOMIC_RELAXED);
  napi_call_threadsafe_function(s->done, j, napi_tsfn_nonblocking);
}

static void *run_sender(void *arg) {
  Sender *s = arg;
  struct epoll_event events[64];
  for (;;) {
    int n = epoll_wait(s->epfd, events, 64, 1000);
    if (__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE)) break;
    if (n < 0 && errno != EINTR) break;
    int64_t now = now_ms();
    pthread_mutex_lock(&s->lock);
    for (int i = 0; i < n; i++) {
      Job *j = events[i].data.ptr;
      if (j == NULL) {
        uint64_t v;
        ssize_t r = read(s->wakefd, &v, sizeof v);
        (void)r;
        continue;
      }
      size_t before = j->remaining + (j->head_len - j->head_off);
      int err = pump(j->sock, j->head, j->head_len, &j->head_off, j->file, &j->off, &j->remaining);
      if (err == EAGAIN) {
        if (j->remaining + (j->head_len - j->head_off) < before) j->last_progress_ms = now;
        struct epoll_event ev = {.events = EPOLLOUT | EPOLLONESHOT, .data.ptr = j};
        if (epoll_ctl(s->epfd, EPOLL_CTL_MOD, j->sock, &ev) != 0) finish(s, j, errno);
      } else {
        finish(s, j, err);
      }
    }
    if (now - s->last_scan_ms >= 1000) {
      s->last_scan_ms = now;
      Job *j = s->jobs;
      while (j != NULL) {
        Job *next = j->next;
        if (now - j->last_progress_ms > s->stall_ms) finish(s, j, ETIMEDOUT);
        j = next;
      }
    }
    pthread_mutex_unlock(&s->lock);
  }
  return NULL;
}

static void call_done(napi_env env, napi_value js_cb, void *context, void *data) {
  (void)context;
  Job *j = data;
  if (env != NULL) {
    napi_delete_reference(env, j->keep);
    napi_value argv[2], undefined;
    napi_create_uint32(env, j->id, &argv[0]);
    napi_create_int32(env, -j->error, &argv[1]);
    napi_get_undefined(env, &undefined);
    napi_call_function(env, undefined, js_cb, 2, argv, NULL);
  }
  free(j->head);
  free(j);
}

/* start(onDone: (jobId, negErrno) => void, stallMs: number): undefined — once per environment. */
static napi_value start(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Sender *s = NULL;
  CHECK(napi_get_instance_data(env, (void **)&s));
  if (s == NULL) {
    napi_throw_error(env, "ZEROCOPY_STATE", "module not initialised");
    return NULL;
  }
  if (s->running) {
    napi_throw_error(env, "ZEROCOPY_STATE", "the sender is already started");
    return NULL;
  }
  int64_t stall = 0;
  CHECK(napi_get_value_int64(env, argv[1], &stall));
  s->stall_ms = stall > 0 ? stall : 60000;
  napi_value name;
  CHECK(napi_create_string_utf8(env, "zenlive-zerocopy-done", NAPI_AUTO_LENGTH, &name));
  CHECK(napi_create_threadsafe_function(env, argv[0], NULL, name, 0, 1, NULL, NULL, NULL, call_done, &s->done));
  napi_unref_threadsafe_function(env, s->done);
  s->epfd = epoll_create1(EPOLL_CLOEXEC);
  if (s->epfd < 0) return throw_errno(env, "epoll_create1", errno);
  s->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (s->wakefd < 0) return throw_errno(env, "eventfd", errno);
  struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
  epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->wakefd, &ev);
  int err = pthread_create(&s->thread, NULL, run_sender, s);
  if (err != 0) return throw_errno(env, "pthread_create", err);
  s->running = 1;
  /* Every segment in the DVR window holds a descriptor: allow as many as the hard limit does. */
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max > (1u << 20) ? (1u << 20) : rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  return NULL;
}

/*
 * send(socketFd, head: Buffer, fileFd, offset, length, keep: object): number
 * 0: sent whole now. > 0: a job id; onDone(id, 0 or -errno) follows. < 0: -errno, failed now.
 * `keep` (the segment's Buffer) stays referenced until the job ends, so its memfd stays open.
 */
static napi_value send_file(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Sender *s = NULL;
  CHECK(napi_get_instance_data(env, (void **)&s));
  if (s == NULL || !s->running) {
    napi_throw_error(env, "ZEROCOPY_STATE", "the sender is not started");
    return NULL;
  }
  int32_t sock, file;
  int64_t offset, length;
  void *head;
  size_t head_len;
  CHECK(napi_get_value_int32(env, argv[0], &sock));
  CHECK(napi_get_buffer_info(env, argv[1], &head, &head_len));
  CHECK(napi_get_value_int32(env, argv[2], &file));
  CHECK(napi_get_value_int64(env, argv[3], &offset));
  CHECK(napi_get_value_int64(env, argv[4], &length));
  napi_value result;
  if (sock < 0 || file < 0 || offset < 0 || length < 0) {
    CHECK(napi_create_int32(env, -EINVAL, &result));
    return result;
  }
  /* The caller's thread must never block: only sockets libuv made non-blocking are accepted. */
  int flags = fcntl(sock, F_GETFL);
  if (flags < 0 || !(flags & O_NONBLOCK)) {
    CHECK(napi_create_int32(env, flags < 0 ? -errno : -EINVAL, &result));
    return result;
  }
  size_t head_off = 0;
  off_t off = (off_t)offset;
  size_t remaining = (size_t)length;
  int err = pump(sock, head, head_len, &head_off, file, &off, &remaining);
  if (err != EAGAIN) {
    if (err == 0) __atomic_add_fetch(&s->sent_at_once, 1, __ATOMIC_RELAXED);
    else __atomic_add_fetch(&s->failed, 1, __ATOMIC_RELAXED);
    CHECK(napi_create_int32(env, -err, &result));
    return result;
  }
  Job *j = calloc(1, sizeof *j);
  if (j == NULL) return throw_errno(env, "calloc", ENOMEM);
  j->head_len = head_len - head_off;
  if (j->head_len > 0) {
    j->head = malloc(j->head_len);
    if (j->head == NULL) {
      free(j);
      return throw_errno(env, "malloc", ENOMEM);
    }
    memcpy(j->head, (char *)head + head_off, j->head_len);
  }
  j->file = file;
  j->off = off;
  j->remaining = remaining;
  j->last_progress_ms = now_ms();
  j->sock = fcntl(sock, F_DUPFD_CLOEXEC, 0);
  if (j->sock < 0 || napi_create_reference(env, argv[5], 1, &j->keep) != napi_ok) {
    int e = errno;
    if (j->sock >= 0) close(j->sock);
    free(j->head);
    free(j);
    return throw_errno(env, "dup", e);
  }
  pthread_mutex_lock(&s->lock);
  s->next_id = s->next_id == INT32_MAX ? 1 : s->next_id + 1;
  j->id = s->next_id;
  j->next = s->jobs;
  if (s->jobs != NULL) s->jobs->prev = j;
  s->jobs = j;
  struct epoll_event ev = {.events = EPOLLOUT | EPOLLONESHOT, .data.ptr = j};
  int added = epoll_ctl(s->epfd, EPOLL_CTL_ADD, j->sock, &ev);
  int add_err = errno;
  uint32_t id = j->id;
  if (added != 0) unlink_job(s, j);
  pthread_mutex_unlock(&s->lock);
  if (added != 0) {
    close(j->sock);
    napi_delete_reference(env, j->keep);
    free(j->head);
    free(j);
    __atomic_add_fetch(&s->failed, 1, __ATOMIC_RELAXED);
    CHECK(napi_create_int32(env, -add_err, &result));
    return result;
  }
  CHECK(napi_create_uint32(env, id, &result));
  return result;
}

/*
 * abort(jobId): shuts the job's connection down; the sender thread then finds it broken and reports
 * the job done with an error. Only the sender thread ends jobs, so a job is never freed under it.
 */
static napi_value abort_job(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Sender *s = NULL;
  CHECK(napi_get_instance_data(env, (void **)&s));
  uint32_t id = 0;
  CHECK(napi_get_value_uint32(env, argv[0], &id));
  if (s == NULL || !s->running) return NULL;
  pthread_mutex_lock(&s->lock);
  for (Job *j = s->jobs; j != NULL; j = j->next) {
    if (j->id == id) {
      shutdown(j->sock, SHUT_RDWR);
      break;
    }
  }
  pthread_mutex_unlock(&s->lock);
  return NULL;
}

static napi_value set_number(napi_env env, napi_value obj, const char *name, int64_t v) {
  napi_value n;
  if (napi_create_int64(env, v, &n) != napi_ok) return NULL;
  napi_set_named_property(env, obj, name, n);
  return obj;
}

/* stats(): counters for metrics and tests. */
static napi_value stats(napi_env env, napi_callback_info info) {
  (void)info;
  Sender *s = NULL;
  CHECK(napi_get_instance_data(env, (void **)&s));
  napi_value obj;
  CHECK(napi_create_object(env, &obj));
  int64_t pending = 0;
  pthread_mutex_lock(&s->lock);
  for (Job *j = s->jobs; j != NULL; j = j->next) pending++;
  pthread_mutex_unlock(&s->lock);
  set_number(env, obj, "liveSegments", __atomic_load_n(&live_segments, __ATOMIC_RELAXED));
  set_number(env, obj, "liveBytes", __atomic_load_n(&live_bytes, __ATOMIC_RELAXED));
  set_number(env, obj, "sentAtOnce", __atomic_load_n(&s->sent_at_once, __ATOMIC_RELAXED));
  set_number(env, obj, "sentByThread", __atomic_load_n(&s->sent_by_thread, __ATOMIC_RELAXED));
  set_number(env, obj, "failed", __atomic_load_n(&s->failed, __ATOMIC_RELAXED));
  set_number(env, obj, "pending", pending);
  return obj;
}

/* The environment is going away (process exit or a worker ending): stop the thread, drop what is left. */
static void cleanup(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  Sender *s = data;
  if (s->running) {
    __atomic_store_n(&s->stop, 1, __ATOMIC_RELEASE);
    uint64_t one = 1;
    ssize_t r = write(s->wakefd, &one, sizeof one);
    (void)r;
    pthread_join(s->thread, NULL);
    for (Job *j = s->jobs, *next; j != NULL; j = next) {
      next = j->next;
      close(j->sock);
      free(j->head);
      free(j);
    }
    close(s->epfd);
    close(s->wakefd);
  }
  pthread_mutex_destroy(&s->lock);
  free(s);
}

NAPI_MODULE_INIT() {
  Sender *s = calloc(1, sizeof *s);
  if (s == NULL) return NULL;
  pthread_mutex_init(&s->lock, NULL);
  s->epfd = s->wakefd = -1;
  if (napi_set_instance_data(env, s, cleanup, NULL) != napi_ok) {
    free(s);
    return NULL;
  }
  napi_property_descriptor props[] = {
      {"shareParts", NULL, share_parts, NULL, NULL, NULL, napi_default, NULL},
      {"start", NULL, start, NULL, NULL, NULL, napi_default, NULL},
      {"send", NULL, send_file, NULL, NULL, NULL, napi_default, NULL},
      {"abort", NULL, abort_job, NULL, NULL, NULL, napi_default, NULL},
      {"stats", NULL, stats, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}
