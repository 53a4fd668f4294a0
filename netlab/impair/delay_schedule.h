// When netlab-delay lets each packet go. Pure and deterministic: the same
// seed and arrivals give the same release times on every platform (the
// generator is std::mt19937_64, whose output the C++ standard fixes, and the
// mapping to a jitter is done here, not by a library distribution).
//
// release = max(arrival + delay + U(-jitter, +jitter), arrival, previous release)
//
// In order, always: a packet never leaves before the one that arrived before
// it. Real links do not reorder the packets of one direction; jitter there
// comes from queues, which keep order. So with jitter a packet drawn shorter
// than its predecessor waits for it, and the delays seen are the drawn ones
// bent upwards where packets are closer together than the jitter: with
// delay d, jitter j and packets more than 2j apart the draws are untouched;
// with a dense stream the median moves above d. (netem, where the host has
// it, reorders under jitter instead: that is netem's behaviour, not ours.)
// Threads: one thread.
#pragma once

#include <cstdint>
#include <random>

namespace netlab::impair {

class DelaySchedule {
 public:
  DelaySchedule(int64_t delay_ns, int64_t jitter_ns, uint64_t seed);

  // The release time of the next packet, which arrived at `arrival_ns`
  // (arrivals are given in order).
  int64_t release_at(int64_t arrival_ns);

  // The next jitter draw in [-jitter, +jitter] (advances the generator).
  int64_t draw_jitter();

  int64_t delay_ns() const { return delay_ns_; }
  int64_t jitter_ns() const { return jitter_ns_; }

 private:
  int64_t delay_ns_, jitter_ns_;
  std::mt19937_64 rng_;
  int64_t last_release_ = INT64_MIN;
};

}  // namespace netlab::impair
