// Faults of nodes, and of everything a node's failure takes down: crash,
// poweroff, domain.
#include <set>

#include "netlab/base/error.h"
#include "netlab/fault/kinds.h"

namespace netlab::fault {

namespace {

using End = Fault::End;

// crash: routing daemons killed; interfaces (and the stale FIB) stay.
class Crash : public Fault {
 public:
  using Fault::Fault;
  void do_inject() override { kill_daemons(spec_.target); }
  void do_repair() override {
    if (!control_.daemons_running(spec_.target)) start_daemons(spec_.target);
  }
};

// poweroff of several nodes and downing of several links "at one instant":
// the cheapest actions first (links down: one netlink message each), then the
// daemons, whose killing is slower.
class Outage : public Fault {
 public:
  Outage(const topology::Fault& s, lab::Control& c, std::vector<End> ends, std::vector<std::string> routers)
      : Fault(s, c), ends_(std::move(ends)), routers_(std::move(routers)) {}

  void do_inject() override {
    for (const auto& e : ends_) link_state(e, false);
    for (const auto& n : routers_) kill_daemons(n);
  }
  void do_repair() override {
    std::set<std::string> touched;
    for (const auto& e : ends_) {
      link_state(e, true);
      touched.insert(e.node);
    }
    reapply_routes(touched);
    for (const auto& n : routers_)
      if (!control_.daemons_running(n)) start_daemons(n);
  }

 private:
  std::vector<End> ends_;             // the nodes' link ends, then the links' ends
  std::vector<std::string> routers_;  // the nodes that run routing daemons
};

std::unique_ptr<Fault> make_outage(const topology::Fault& f, const Targets& t, lab::Control& c,
                                   const std::vector<std::string>& nodes,
                                   const std::vector<std::string>& links) {
  std::vector<End> ends;
  std::vector<std::string> routers;
  for (const auto& n : nodes)
    for (auto& e : t.node_ends(n)) ends.push_back(std::move(e));
  for (const auto& l : links)
    for (auto& e : t.ends_of(l)) ends.push_back(std::move(e));
  for (const auto& n : nodes)
    if (t.is_router(n)) routers.push_back(n);
  return std::make_unique<Outage>(f, c, std::move(ends), std::move(routers));
}

}  // namespace

std::unique_ptr<Fault> make_crash(const topology::Fault& f, const Targets&, lab::Control& c) {
  return std::make_unique<Crash>(f, c);
}

std::unique_ptr<Fault> make_poweroff(const topology::Fault& f, const Targets& t, lab::Control& c) {
  return make_outage(f, t, c, {f.target}, {});
}

std::unique_ptr<Fault> make_domain(const topology::Fault& f, const Targets& t, lab::Control& c) {
  auto d = t.domain(f.domain_type, f.domain_value);
  if (d.nodes.empty() && d.links.empty())
    throw InputError("no node or link is tagged " + std::string(topology::to_string(f.domain_type)) +
                     " = \"" + f.domain_value + "\"");
  return make_outage(f, t, c, d.nodes, d.links);
}

}  // namespace netlab::fault
