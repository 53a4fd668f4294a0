#include "support/fake_tc.h"

#include <algorithm>

#include "netlab/base/error.h"

namespace netlab::testing {

namespace {
template <class F>
void recorded(std::vector<std::string>& ops, FaultPlan& faults, const std::string& op,
              const std::string& line, const std::string& object, F&& body) {
  ops.push_back(line);
  try {
    if (auto f = faults.due(op)) throw KernelError(op, object, f->first, f->second);
    body();
  } catch (const KernelError& e) {
    ops.back() += " -> " + errno_name(e.err());
    throw;
  }
}
}  // namespace

void FakeTc::replace(const std::string& ns, const std::string& ifname, const kernel::TcObject& o) {
  recorded(ops, faults_, "replace", "tc " + ns + " " + ifname + " replace " + o.str(),
           ns + " " + ifname, [&] {
             auto& v = objects[{ns, ifname}];
             auto same = std::find_if(v.begin(), v.end(), [&](const kernel::TcObject& x) {
               return x.type == o.type && x.handle == o.handle;
             });
             if (same != v.end()) {
               *same = o;
             } else {
               v.push_back(o);
             }
           });
}

void FakeTc::delete_root(const std::string& ns, const std::string& ifname) {
  recorded(ops, faults_, "delete_root", "tc " + ns + " " + ifname + " delete root",
           ns + " " + ifname, [&] {
             objects.erase({ns, ifname});
           });
}

std::vector<kernel::TcObject> FakeTc::list(const std::string& ns, const std::string& ifname) {
  auto it = objects.find({ns, ifname});
  return it == objects.end() ? std::vector<kernel::TcObject>{} : it->second;
}

void FakePacketQueues::steer(const std::string& ns, const kernel::QueueSteer& s) {
  recorded(ops, faults_, "steer", "steer " + ns + " " + s.str(), ns + " " + s.ifname, [&] {
    steered[{ns, s.ifname}] = s;
  });
}

void FakePacketQueues::unsteer(const std::string& ns, const std::string& ifname) {
  recorded(ops, faults_, "unsteer", "unsteer " + ns + " " + ifname, ns + " " + ifname, [&] {
    steered.erase({ns, ifname});
  });
}

std::optional<kernel::QueueStats> FakePacketQueues::stats(const std::string& ns, uint16_t queue) {
  ++stats_calls;
  auto it = bind_.find({ns, queue});
  if (it == bind_.end()) return std::nullopt;
  if (it->second > 0) {
    --it->second;
    return std::nullopt;
  }
  return kernel::QueueStats{queue, 4242, 0, 0, 0, 0};
}

}  // namespace netlab::testing
