/* chat-reader: M WebSocket chat clients on one thread (epoll), for bench/chat/loadgen.mjs. It
 * opens them at a paced rate, upgrades them (ZenLive's /ws/chat, or Socket.IO's engine.io v4
 * websocket transport), then counts every chat message each one receives and puts the latency
 * of each (receive CLOCK_REALTIME - the poster's Date.now() stamp) into a 1 ms histogram. A Node
 * reader per socket cost more CPU than the server at 10,000 clients, so the run measured the
 * generator; this costs a fraction of a core for 1M messages/s.
 *
 *   chat-reader --port P --protocol zenlive|socketio --clients M [--path /...] [--connect-rate 2000]
 *               [--concurrency 200] [--connect-timeout 30] [--duration S] [--seq-from A --seq-to B]
 *               [--control] [--cpu N]
 *
 * stdout, one JSON object a line: {"event":"ready",...} once every client is upgraded (or has
 * failed); {"event":"snapshot",...} for each "snapshot TAG" line on stdin (with --control);
 * {"event":"result",...} on SIGTERM/SIGINT, stdin EOF (with --control) or after --duration. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "chat-client.h"

static struct {
  int clients;
  double connect_rate;
  int concurrency;
  double connect_timeout_s;
  double duration_s;
  int control;
  int cpu;
} opt = {0, 2000, 200, 30, 0, 0, -1};

static struct conn *conns;
static double t0;
static int started, stopping;

#define ID_SIGNAL ((uint64_t)1 << 40)
#define ID_STDIN (ID_SIGNAL + 1)

static double mono_ms(void) { return clock_ms(CLOCK_MONOTONIC) - t0; }

static double cpu_ms(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 + (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

/* Starts as many clients as the connect rate allows by now, with at most `concurrency` of them
 * between connect and ready, so the listen backlog never overflows into SYN retries. */
static void pace(double now) {
  int allowed = (int)(now * opt.connect_rate / 1000.0) + 1;
  while (started < opt.clients && started < allowed && started - client_stats.ready - client_stats.failed < opt.concurrency) client_start(&conns[started++], now);
  static double last_check;
  if (now - last_check < 100) return;
  last_check = now;
  for (int i = 0; i < started; i++) {
    struct conn *c = &conns[i];
    if (c->state != C_READY && c->state != C_DONE && now - c->started_ms > opt.connect_timeout_s * 1000) client_finish(c, "not ready before --connect-timeout");
  }
}

static void print_counters(void) {
  printf("\"connected\":%d,\"failed\":%d,\"closed\":%d,\"messages\":%llu,\"bytes\":%llu,\"cpu_ms\":%.1f,\"wall_ms\":%.0f", client_stats.ready, client_stats.failed, client_stats.closed,
         (unsigned long long)client_stats.messages, (unsigned long long)client_stats.bytes_read, cpu_ms(), mono_ms());
}

static void print_result(void) {
  const struct histogram *hist = &client_stats.hist;
  uint64_t min = 0, max = 0;
  int any = 0;
  for (int i = 0; i < opt.clients; i++) {
    struct conn *c = &conns[i];
    if (c->state != C_READY && !(c->state == C_DONE && c->messages > 0)) continue;
    if (!any || c->messages < min) min = c->messages;
    if (!any || c->messages > max) max = c->messages;
    any = 1;
  }
  uint64_t ooo = 0;
  for (int i = 0; i < opt.clients; i++) ooo += conns[i].out_of_order;
  printf("{\"event\":\"result\",\"protocol\":\"%s\",\"clients\":%d,", client_config.protocol == P_ZENLIVE ? "zenlive" : "socketio", opt.clients);
  print_counters();
  printf(",\"unstamped\":%llu,\"out_of_order\":%llu,\"min_client_messages\":%llu,\"max_client_messages\":%llu,\"latency_samples\":%llu", (unsigned long long)client_stats.unstamped,
         (unsigned long long)ooo, (unsigned long long)min, (unsigned long long)max, (unsigned long long)hist->samples);
  static const double ps[] = {50, 90, 99};
  static const char *names[] = {"p50_ms", "p90_ms", "p99_ms"};
  for (int i = 0; i < 3; i++) {
    long v = hist_percentile(hist, ps[i]);
    if (v < 0) printf(",\"%s\":null", names[i]);
    else printf(",\"%s\":%ld", names[i], v);
  }
  if (hist->samples == 0) printf(",\"max_ms\":null");
  else printf(",\"max_ms\":%.1f", hist->max_ms);
  printf(",\"latency_over_10s\":%llu,\"latency_negative\":%llu}\n", (unsigned long long)hist->bucket[HIST_BUCKETS], (unsigned long long)hist->negative);
  fflush(stdout);
}

/* Control lines on stdin: "snapshot TAG" prints the counters now; "stop" or EOF ends the run. */
static void on_stdin(void) {
  static char line[256];
  static size_t len;
  ssize_t n = read(0, line + len, sizeof line - 1 - len);
  if (n <= 0) {
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    stopping = 1;
    return;
  }
  len += (size_t)n;
  char *nl;
  while ((nl = memchr(line, '\n', len)) != NULL) {
    *nl = 0;
    if (strncmp(line, "snapshot", 8) == 0) {
      const char *tag = line[8] == ' ' ? line + 9 : "";
      printf("{\"event\":\"snapshot\",\"tag\":\"");
      for (const char *t = tag; *t; t++)
        if (*t != '"' && *t != '\\' && (unsigned char)*t >= 0x20) putchar(*t);
      printf("\",");
      print_counters();
      printf("}\n");
      fflush(stdout);
    } else if (strcmp(line, "stop") == 0) {
      stopping = 1;
    }
    len -= (size_t)(nl + 1 - line);
    memmove(line, nl + 1, len);
  }
  if (len == sizeof line - 1) len = 0; /* a line that long is no command */
}

static void usage(void) {
  fprintf(stderr, "usage: chat-reader --port P --protocol zenlive|socketio --clients M [--path PATH] [--connect-rate N] [--concurrency N]\n"
                  "                   [--connect-timeout S] [--duration S] [--seq-from A] [--seq-to B] [--control] [--cpu N]\n");
  exit(2);
}

static void parse_options(int argc, char **argv) {
  static const struct option longs[] = {
      {"port", required_argument, 0, 'p'},          {"protocol", required_argument, 0, 'P'},     {"clients", required_argument, 0, 'n'},
      {"path", required_argument, 0, 'u'},          {"connect-rate", required_argument, 0, 'r'}, {"concurrency", required_argument, 0, 'k'},
      {"connect-timeout", required_argument, 0, 't'}, {"duration", required_argument, 0, 'd'},   {"seq-from", required_argument, 0, 'a'},
      {"seq-to", required_argument, 0, 'b'},        {"control", no_argument, 0, 'c'},            {"cpu", required_argument, 0, 'C'},
      {0, 0, 0, 0}};
  int o;
  while ((o = getopt_long(argc, argv, "", longs, NULL)) != -1) {
    switch (o) {
      case 'p': client_config.port = atoi(optarg); break;
      case 'P':
        if (strcmp(optarg, "zenlive") == 0) client_config.protocol = P_ZENLIVE;
        else if (strcmp(optarg, "socketio") == 0) client_config.protocol = P_SOCKETIO;
        else usage();
        break;
      case 'n': opt.clients = atoi(optarg); break;
      case 'u': client_config.path = optarg; break;
      case 'r': opt.connect_rate = atof(optarg); break;
      case 'k': opt.concurrency = atoi(optarg); break;
      case 't': opt.connect_timeout_s = atof(optarg); break;
      case 'd': opt.duration_s = atof(optarg); break;
      case 'a': client_config.seq_from = atoll(optarg); break;
      case 'b': client_config.seq_to = atoll(optarg); break;
      case 'c': opt.control = 1; break;
      case 'C': opt.cpu = atoi(optarg); break;
      default: usage();
    }
  }
  if (optind != argc || client_config.port <= 0 || client_config.port > 65535 || opt.clients < 0 || opt.connect_rate <= 0 || opt.concurrency <= 0) usage();
  if (client_config.path == NULL) client_config.path = client_config.protocol == P_ZENLIVE ? "/ws/chat?room=bench" : "/socket.io/?EIO=4&transport=websocket&room=bench";
}

int main(int argc, char **argv) {
  client_config.seq_to = -1;
  parse_options(argc, argv);
  t0 = clock_ms(CLOCK_MONOTONIC);
  if (opt.cpu >= 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(opt.cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) < 0) reader_die("sched_setaffinity");
  }
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)opt.clients + 16)
    fprintf(stderr, "chat-reader: open-file limit %llu is below %d clients; some will fail\n", (unsigned long long)rl.rlim_cur, opt.clients);

  conns = calloc((size_t)opt.clients + 1, sizeof *conns);
  if (conns == NULL) reader_die("calloc");
  for (int i = 0; i < opt.clients; i++) {
    conns[i].fd = -1;
    conns[i].last_seq = -1;
  }
  int ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) reader_die("epoll_create1");
  clients_init(ep, conns, ((uint64_t)clock_ms(CLOCK_REALTIME) * 2654435761u) ^ ((uint64_t)getpid() << 32));

  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  sigprocmask(SIG_BLOCK, &mask, NULL);
  signal(SIGPIPE, SIG_IGN);
  int sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
  if (sfd < 0) reader_die("signalfd");
  struct epoll_event ev = {.events = EPOLLIN, .data.u64 = ID_SIGNAL};
  if (epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev) < 0) reader_die("epoll_ctl");
  if (opt.control) {
    fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
    ev.data.u64 = ID_STDIN;
    if (epoll_ctl(ep, EPOLL_CTL_ADD, 0, &ev) < 0) reader_die("epoll_ctl stdin");
  }

  int ready_reported = 0;
  struct epoll_event evs[512];
  while (!stopping) {
    int connecting = client_stats.ready + client_stats.failed < opt.clients;
    int k = epoll_wait(ep, evs, 512, connecting ? 2 : 100);
    if (k < 0 && errno != EINTR) reader_die("epoll_wait");
    for (int i = 0; i < k; i++) {
      uint64_t id = evs[i].data.u64;
      if (id == ID_SIGNAL) {
        stopping = 1;
        continue;
      }
      if (id == ID_STDIN) {
        on_stdin();
        continue;
      }
      client_on_event(&conns[id], evs[i].events);
    }
    double now = mono_ms();
    if (connecting) pace(now);
    if (!ready_reported && client_stats.ready + client_stats.failed == opt.clients) {
      ready_reported = 1;
      printf("{\"event\":\"ready\",\"connected\":%d,\"failed\":%d,\"connect_ms\":%.0f}\n", client_stats.ready, client_stats.failed, now);
      fflush(stdout);
    }
    if (opt.duration_s > 0 && now >= opt.duration_s * 1000) stopping = 1;
  }
  print_result();
  return 0;
}
