#include "netlab/lab/frr.h"

#include <nlohmann/json.hpp>

#include "netlab/base/error.h"
#include "netlab/base/time_scale.h"
#include "netlab/lab/lab.h"
#include "netlab/process/command.h"

namespace netlab::lab {

namespace {

class VtyshFrr : public Frr {
 public:
  VtyshFrr(std::string binary, const std::atomic<bool>* stop) : binary_(std::move(binary)), stop_(stop) {}
  std::string vtysh(const plan::PlanNode& n, const std::vector<std::string>& commands) override {
    std::vector<std::string> argv{binary_, "--vty_socket", n.frr_dir};
    for (const auto& c : commands) {
      argv.push_back("-c");
      argv.push_back(c);
    }
    auto r = process::run_command(argv, scaled(std::chrono::seconds(10)), stop_);
    if (r.interrupted) throw Interrupted();
    if (r.timed_out) throw Error("vtysh on " + n.name + " did not answer within " +
                                       std::to_string(scaled(std::chrono::seconds(10)).count() / 1000) + " s");
    if (r.exit_code != 0)
      throw Error("vtysh on " + n.name + " failed (exit " + std::to_string(r.exit_code) +
                  "): " + (r.err.empty() ? r.out : r.err));
    return r.out;
  }

 private:
  std::string binary_;
  const std::atomic<bool>* stop_;
};

}  // namespace

std::unique_ptr<Frr> make_frr(std::string vtysh_binary, const std::atomic<bool>* stop) {
  return std::make_unique<VtyshFrr>(std::move(vtysh_binary), stop);
}

std::map<std::string, std::string> parse_bgp_summary(const std::string& text) {
  std::map<std::string, std::string> out;
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return out;
  auto it = j.find("ipv4Unicast");
  if (it == j.end() || !it->is_object()) return out;
  auto peers = it->find("peers");
  if (peers == it->end() || !peers->is_object()) return out;
  for (auto& [addr, p] : peers->items())
    if (p.is_object() && p.contains("state") && p["state"].is_string())
      out[addr] = p["state"].get<std::string>();
  return out;
}

std::vector<BgpPath> parse_bgp_route(const std::string& text) {
  std::vector<BgpPath> out;
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("paths") || !j["paths"].is_array()) return out;
  for (const auto& p : j["paths"]) {
    if (!p.is_object()) continue;
    BgpPath x;
    const auto peer = p.value("peer", nlohmann::json::object());
    x.peer = peer.value("peerId", "");
    x.external = peer.value("type", "") == "external";
    x.valid = p.value("valid", false);
    x.multipath = p.value("multipath", false);
    if (p.contains("bestpath") && p["bestpath"].is_object()) {
      x.best = p["bestpath"].value("overall", false);
      x.reason = p["bestpath"].value("selectionReason", "");
    }
    x.local_pref = p.value("locPrf", p.value("localpref", 100u));
    x.med = p.value("metric", 0u);
    x.as_path_length = p.value("aspath", nlohmann::json::object()).value("length", 0u);
    x.origin = p.value("origin", "");
    out.push_back(std::move(x));
  }
  return out;
}

std::map<std::string, std::string> parse_bfd_peers(const std::string& text) {
  std::map<std::string, std::string> out;
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_array()) return out;
  for (const auto& p : j)
    if (p.is_object() && p.contains("peer") && p["peer"].is_string() && p.contains("status") &&
        p["status"].is_string())
      out[p["peer"].get<std::string>()] = p["status"].get<std::string>();
  return out;
}

}  // namespace netlab::lab
