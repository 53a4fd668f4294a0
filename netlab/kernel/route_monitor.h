// Route change events from many namespaces on one monotonic timeline.
//
// One netlink socket per watched namespace, subscribed to RTNLGRP_IPV4_ROUTE
// (opened inside the namespace), all read by one background thread that
// timestamps each message with CLOCK_MONOTONIC when it is received. Events,
// not polls (STYLE.md, point 10).
//
// Threads: watch()/drain()/stop() may be called from any one thread; the
// reader thread only appends under a lock.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "netlab/kernel/types.h"

namespace netlab::kernel {

struct RouteEvent {
  int64_t t_ns = 0;  // CLOCK_MONOTONIC at receipt
  enum class Kind { Add, Delete } kind = Kind::Add;
  Route route;  // route.ns names the namespace it happened in
  std::string str() const;
};

class RouteMonitor {
 public:
  virtual ~RouteMonitor() = default;
  // Starts watching `ns` (idempotent). Events before this call are not seen.
  virtual void watch(const std::string& ns) = 0;
  // Returns and forgets the events received so far, in order of receipt.
  virtual std::vector<RouteEvent> drain() = 0;
  // Stops the reader and closes the sockets; drain() still returns what came.
  virtual void stop() = 0;
};

std::unique_ptr<RouteMonitor> make_route_monitor();

}  // namespace netlab::kernel
