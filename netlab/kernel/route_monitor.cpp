#include "netlab/kernel/route_monitor.h"

#include <linux/rtnetlink.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>

#include "netlab/base/error.h"
#include "netlab/kernel/clock.h"
#include "netlab/kernel/netns.h"
#include "netlab/kernel/rtnl.h"
#include "netlab/kernel/rtnl_codec.h"

namespace netlab::kernel {
namespace {

// Large enough for the burst of a full BGP table withdrawal on one router;
// SO_RCVBUFFORCE (root) goes past net.core.rmem_max.
constexpr int kReceiveBuffer = 32 << 20;

class RealRouteMonitor final : public RouteMonitor {
 public:
  explicit RealRouteMonitor(int receive_buffer) : receive_buffer_(receive_buffer) {
    epoll_.reset(epoll_create1(EPOLL_CLOEXEC));
    if (!epoll_) throw KernelError("route_monitor", "epoll_create1", errno);
    wake_.reset(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!wake_) throw KernelError("route_monitor", "eventfd", errno);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = nullptr;  // the stop signal
    check_errno(epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, wake_.get(), &ev), "route_monitor",
                "epoll_ctl");
    reader_ = std::thread([this] { read_loop(); });
  }

  ~RealRouteMonitor() override { stop(); }

  void watch(const std::string& ns) override {
    std::lock_guard control(control_mu_);
    if (stopped_) throw KernelError("route_monitor_watch", ns, ESHUTDOWN, "monitor stopped");
    {
      std::lock_guard lock(mu_);
      if (watched_.count(ns)) return;
    }
    auto w = std::make_unique<Watched>(ns);
    UniqueFd nsfd = netns_open(ns);
    {
      NetnsGuard guard(nsfd.get(), ns);
      // Subscribe before dumping, so nothing falls between the dump and the
      // first event.
      w->events.emplace(NETLINK_ROUTE,
                        std::initializer_list<unsigned>{RTNLGRP_LINK, RTNLGRP_IPV4_ROUTE});
      w->request.emplace(NETLINK_ROUTE);
      guard.leave();
    }
    int fd = w->events->fd();
    unsigned nexthop_group = RTNLGRP_NEXTHOP;
    // A kernel without nexthop objects has no such group; nothing to follow.
    setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &nexthop_group, sizeof nexthop_group);
    int size = receive_buffer_;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) < 0) {
      check_errno(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size),
                  "route_monitor_watch: SO_RCVBUF", ns);
    }
    dump(*w);
    Watched* raw = w.get();
    {
      std::lock_guard lock(mu_);
      watched_[ns] = std::move(w);
    }
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = raw;
    check_errno(epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev), "route_monitor_watch: epoll", ns);
  }

  std::vector<RouteEvent> drain() override {
    std::lock_guard lock(mu_);
    std::vector<RouteEvent> out;
    out.swap(events_);
    return out;
  }

  std::vector<RouteMonitorError> errors() override {
    std::lock_guard lock(mu_);
    return errors_;
  }

  void stop() override {
    std::lock_guard control(control_mu_);
    if (stopped_) return;
    stopped_ = true;
    uint64_t one = 1;
    // An eventfd write of 1 cannot fail short of a bug; if it did, join()
    // would hang, so say so loudly instead.
    if (::write(wake_.get(), &one, sizeof one) != sizeof one) {
      throw KernelError("route_monitor_stop", "eventfd", errno);
    }
    reader_.join();
    std::lock_guard lock(mu_);
    watched_.clear();
  }

 private:
  struct Watched {
    explicit Watched(std::string n) : ns(n), decoder(std::move(n)) {}
    std::string ns;
    std::optional<NlSocket> events;   // subscribed; read by the reader thread only
    std::optional<NlSocket> request;  // for dumps (watch(), then the reader thread)
    RouteEventDecoder decoder;
  };

  // Fills the decoder's tables from the kernel's current state.
  void dump(Watched& w) {
    auto learn = [&](const nlmsghdr* nlh) { w.decoder.learn(nlh); };
    MsgBuilder links = encode_link_dump();
    w.request->query(links, "route_monitor: link dump", w.ns, learn);
    MsgBuilder nexthops = encode_nexthop_dump();
    w.request->query(nexthops, "route_monitor: nexthop dump", w.ns, learn,
                     {EOPNOTSUPP, EINVAL, EAFNOSUPPORT});
    MsgBuilder routes = encode_route_dump();
    w.request->query(routes, "route_monitor: route dump", w.ns, learn);
  }

  void record_error(const std::string& ns, int err) {
    std::lock_guard lock(mu_);
    errors_.push_back(RouteMonitorError{ns, monotonic_ns(), err});
  }

  void read_loop() {
    for (;;) {
      epoll_event evs[16];
      int n = epoll_wait(epoll_.get(), evs, 16, -1);
      if (n < 0) {
        if (errno == EINTR) continue;
        record_error("", errno);
        return;
      }
      for (int i = 0; i < n; ++i) {
        if (evs[i].data.ptr == nullptr) return;
        read_socket(*static_cast<Watched*>(evs[i].data.ptr));
      }
    }
  }

  void read_socket(Watched& w) {
    bool lost = false;
    for (;;) {
      ssize_t n = recv(w.events->fd(), buf_.data(), buf_.size(), MSG_DONTWAIT);
      int64_t t = monotonic_ns();  // right after the receive: the event's time
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == ENOBUFS) {
          // Notifications were dropped: record it, keep reading what is
          // queued (it is newer than what was lost), then rebuild the tables.
          record_error(w.ns, ENOBUFS);
          lost = true;
          continue;
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
          record_error(w.ns, errno);
          epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, w.events->fd(), nullptr);
        }
        break;
      }
      std::vector<RouteEvent> evs = w.decoder.feed(buf_.data(), static_cast<size_t>(n), t);
      if (evs.empty()) continue;
      std::lock_guard lock(mu_);
      for (RouteEvent& e : evs) events_.push_back(std::move(e));
    }
    if (!lost) return;
    try {
      w.decoder.reset();
      dump(w);
    } catch (const KernelError& e) {
      record_error(w.ns, e.err());
    }
  }

  const int receive_buffer_;
  UniqueFd epoll_, wake_;
  std::thread reader_;
  std::vector<char> buf_ = std::vector<char>(1 << 18);  // reader thread only

  std::mutex control_mu_;  // watch() and stop() against each other
  bool stopped_ = false;

  std::mutex mu_;  // what the reader shares
  std::map<std::string, std::unique_ptr<Watched>> watched_;
  std::vector<RouteEvent> events_;
  std::vector<RouteMonitorError> errors_;
};

}  // namespace

std::unique_ptr<RouteMonitor> make_route_monitor() {
  return std::make_unique<RealRouteMonitor>(kReceiveBuffer);
}

std::unique_ptr<RouteMonitor> make_route_monitor(int receive_buffer_bytes) {
  return std::make_unique<RealRouteMonitor>(receive_buffer_bytes);
}

std::string RouteEvent::str() const {
  return std::to_string(t_ns) + (kind == Kind::Add ? " add " : " del ") +
         (route.ns.empty() ? std::string("-") : route.ns) + " " + route.str();
}

std::string RouteMonitorError::str() const {
  std::string s =
      std::to_string(t_ns) + " " + (ns.empty() ? std::string("-") : ns) + ": " + std::strerror(err);
  if (err == ENOBUFS) s += " (events lost)";
  return s;
}

}  // namespace netlab::kernel
