// Recording fakes of kernel::Tc and kernel::PacketQueues (netlab/kernel/tc.h)
// for unit tests of netlab/impair. Like the fakes in tests/support: every
// mutating call is one readable line in `ops` (a failed one ends with
// " -> ERRNO_NAME"), the state is kept for assertions, and fail_nth() makes
// the n-th call of an operation throw.
//   "tc nl-t-a eth1 replace qdisc htb 1: root default 1"
//   "tc nl-t-a eth1 delete root"
//   "steer nl-t-b iifname eth1 -> queue 3"
//   "unsteer nl-t-b eth1"
// PacketQueues::stats() is a query: counted in stats_calls, not in ops. A
// queue is bound when the test says so (bind_after: after that many more
// stats() calls answered "not bound").
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "netlab/kernel/tc.h"
#include "support/fake_kernel.h"

namespace netlab::testing {

class FakeTc : public kernel::Tc {
 public:
  std::vector<std::string> ops;
  std::map<std::pair<std::string, std::string>, std::vector<kernel::TcObject>> objects;
  void fail_nth(const std::string& op, int n, int err) { faults_.fail_nth(op, n, err); }

  void replace(const std::string& ns, const std::string& ifname,
               const kernel::TcObject& o) override;
  void delete_root(const std::string& ns, const std::string& ifname) override;
  std::vector<kernel::TcObject> list(const std::string& ns, const std::string& ifname) override;

 private:
  FaultPlan faults_;
};

class FakePacketQueues : public kernel::PacketQueues {
 public:
  std::vector<std::string> ops;
  std::map<std::pair<std::string, std::string>, kernel::QueueSteer> steered;  // (ns, ifname)
  int stats_calls = 0;
  void fail_nth(const std::string& op, int n, int err) { faults_.fail_nth(op, n, err); }
  // Queue `queue` in `ns` reports bound after `polls` more stats() calls.
  void bind_after(const std::string& ns, uint16_t queue, int polls) { bind_[{ns, queue}] = polls; }

  void steer(const std::string& ns, const kernel::QueueSteer& s) override;
  void unsteer(const std::string& ns, const std::string& ifname) override;
  std::optional<kernel::QueueStats> stats(const std::string& ns, uint16_t queue) override;

 private:
  FaultPlan faults_;
  std::map<std::pair<std::string, uint16_t>, int> bind_;
};

}  // namespace netlab::testing
