/* Latencies in 1 ms buckets from 0 to 10 s (one overflow bucket above), so percentiles are exact
 * to the millisecond whatever the number of samples, in constant memory. */
#ifndef CHAT_READER_LATENCY_HISTOGRAM_H
#define CHAT_READER_LATENCY_HISTOGRAM_H

#include <stdint.h>

#define HIST_BUCKETS 10000

struct histogram {
  uint64_t bucket[HIST_BUCKETS + 1]; /* the last one holds everything >= 10 s */
  uint64_t samples;
  uint64_t negative; /* receive before send: the clocks disagree; counted in bucket 0 */
  double max_ms;
};

void hist_add(struct histogram *h, double ms);

/* The lower edge (ms) of the bucket holding the sample of rank floor(p/100 * samples), the rank
 * loadgen's sorted-array percentile used; -1 when there are no samples. */
long hist_percentile(const struct histogram *h, double p);

#endif
