// Route change events from many namespaces on one monotonic timeline.
//
// One netlink socket per watched namespace, subscribed to RTNLGRP_IPV4_ROUTE
// (opened inside the namespace), all read by one background thread that
// timestamps each message with CLOCK_MONOTONIC when it is received. Events,
// not polls (docs/design.md, "Measurement").
//
// The socket also follows links and nexthop objects (RTNLGRP_LINK,
// RTNLGRP_NEXTHOP), to name devices and to resolve FRR's `nhid` routes to
// gateways, and because the kernel removes IPv4 routes silently when their
// device goes down: those removals are reported as Delete events at the
// instant of the link change. Only unicast and blackhole routes of the main
// table are reported.
//
// Lost events are an error state, never silent: when the kernel drops
// notifications (ENOBUFS, despite a large receive buffer), errors() lists
// it, and the monitor resynchronises its tables. A measurement spanning such
// an error is not trustworthy.
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
  bool operator==(const RouteEvent&) const = default;
  std::string str() const;  // "123456789 add nl-x-a 10.0.0.0/24 via 10.255.0.1 dev eth1"
};

// A failure of the reader on one namespace's socket: ENOBUFS means the
// kernel dropped notifications.
struct RouteMonitorError {
  std::string ns;
  int64_t t_ns = 0;  // CLOCK_MONOTONIC when it was seen
  int err = 0;
  bool operator==(const RouteMonitorError&) const = default;
  std::string str() const;  // "123456 nl-x-a: No buffer space available (events lost)"
};

class RouteMonitor {
 public:
  virtual ~RouteMonitor() = default;
  // Starts watching `ns` (idempotent). Events before this call are not seen.
  virtual void watch(const std::string& ns) = 0;
  // Returns and forgets the events received so far, in order of receipt.
  virtual std::vector<RouteEvent> drain() = 0;
  // Every error seen since the monitor started (not forgotten by drain()).
  virtual std::vector<RouteMonitorError> errors() = 0;
  // Stops the reader and closes the sockets; drain() still returns what came.
  // The sockets keep their namespaces alive until then.
  virtual void stop() = 0;
};

std::unique_ptr<RouteMonitor> make_route_monitor();
// With a given socket receive buffer instead of the default 32 MiB: lets a
// test provoke lost events (ENOBUFS) on purpose.
std::unique_ptr<RouteMonitor> make_route_monitor(int receive_buffer_bytes);

}  // namespace netlab::kernel
