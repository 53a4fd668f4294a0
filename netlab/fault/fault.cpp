#include "netlab/fault/fault.h"

#include <set>

namespace netlab::fault {

int64_t Fault::inject() {
  int64_t t = now();
  prepared_at_ = t;
  instant_.reset();
  injected_ = true;  // before: a half-done injection must still be repaired
  do_inject();
  return instant_.value_or(t);
}

int64_t Fault::repair() {
  int64_t t = now();
  do_repair();
  injected_ = false;
  return t;
}

void Fault::log(const std::string& node, const std::string& kind, const std::string& detail,
                int64_t t) {
  actions_.push_back({t, node, kind, detail});
}

void Fault::cut(const End& e, const std::string& tag) {
  int64_t t = now();
  control_.cut(e, tag);
  log(e.node, "cut", e.ifname, t);
}

void Fault::uncut(const End& e, const std::string& tag) {
  int64_t t = now();
  control_.uncut(e, tag);
  log(e.node, "uncut", e.ifname, t);
}

void Fault::link_state(const End& e, bool up) {
  int64_t t = now();
  control_.set_link_state(e, up);
  log(e.node, up ? "link-up" : "link-down", e.ifname, t);
}

void Fault::kill_daemons(const std::string& node) {
  int64_t t = now();
  control_.kill_daemons(node);
  log(node, "daemons-killed", "zebra bgpd bfdd staticd", t);
}

void Fault::start_daemons(const std::string& node) {
  int64_t t = now();
  control_.start_daemons(node);
  log(node, "daemons-started", "zebra bgpd bfdd staticd", t);
}

void Fault::bgp_shutdown(const std::string& node, const std::string& peer, bool shut) {
  int64_t t = now();
  control_.bgp_shutdown(node, peer, shut);
  log(node, shut ? "bgp-shutdown" : "bgp-no-shutdown", peer, t);
}

void Fault::graceful_shutdown(const std::string& node, bool on) {
  int64_t t = now();
  control_.bgp_graceful_shutdown(node, on);
  log(node, on ? "bgp-graceful-shutdown" : "bgp-graceful-shutdown-off", "", t);
}

void Fault::set_med(const std::string& node, const lab::MedSetting& m, const std::string& peer,
                    bool lowered) {
  int64_t t = now();
  control_.bgp_set_med(node, m, peer);
  log(node, lowered ? "med-lowered" : "med-restored", m.str(), t);
}

void Fault::reapply_routes(const std::set<std::string>& nodes) {
  for (const auto& n : nodes) control_.reapply_routes(n);
}

}  // namespace netlab::fault
