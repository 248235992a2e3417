#include "latency-histogram.h"

void hist_add(struct histogram *h, double ms) {
  long b;
  if (ms < 0) {
    h->negative++;
    b = 0;
  } else {
    b = ms >= HIST_BUCKETS ? HIST_BUCKETS : (long)ms;
  }
  h->bucket[b]++;
  if (h->samples == 0 || ms > h->max_ms) h->max_ms = ms;
  h->samples++;
}

long hist_percentile(const struct histogram *h, double p) {
  if (h->samples == 0) return -1;
  uint64_t rank = (uint64_t)(p / 100.0 * (double)h->samples);
  if (rank >= h->samples) rank = h->samples - 1;
  uint64_t seen = 0;
  for (long b = 0; b <= HIST_BUCKETS; b++) {
    seen += h->bucket[b];
    if (seen > rank) return b;
  }
  return HIST_BUCKETS;
}
