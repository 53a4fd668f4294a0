// FRR configuration per routing node, rendered from the role's mustache
// template (frr-templates/<role>.conf.mustache; files named _NAME.mustache
// are partials, used as {{> NAME}}). The data given to every template is
// documented in frr-templates/README.md. Pure apart from reading templates.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "netlab/plan/plan.h"

namespace netlab::plan {

class TemplateSet {
 public:
  // Reads every *.mustache file of `dir`. Throws InputError when the
  // directory cannot be read.
  static TemplateSet load(const std::string& dir);
  const std::string& dir() const { return dir_; }
  bool has_role(std::string_view role) const;

  // Renders the template of `node`'s role. Throws InputError when the role
  // has no template or the template does not parse.
  std::string render(const Plan& plan, const PlanNode& node) const;

 private:
  std::string dir_;
  std::map<std::string, std::string, std::less<>> roles_;     // role -> template text
  std::map<std::string, std::string, std::less<>> partials_;  // name -> text
};

// The route-map name fragment for a link or tunnel name: FRR WORDs cannot
// hold every character a link name may.
std::string route_map_tag(std::string_view link_name);

// Default MED AWS VPN endpoints put on routes they send over a tunnel; a
// `maintenance` fault lowers it on the other tunnel first.
constexpr uint32_t kVpnDefaultMed = 100;
constexpr uint32_t kVpnMaintenanceMed = 50;
// AWS: a private or transit VIF accepts at most 100 routes from the customer;
// one more puts the session into Idle.
constexpr uint32_t kDxPrefixLimit = 100;
// What FRR 8.4 must be told for that: it compares the accepted count with
// its maximum before counting the prefix being accepted, so `maximum-prefix
// N` lets N + 1 through and tears the session down at N + 2 (measured:
// tests/privileged/scenario/aws_policy_test.cpp).
constexpr uint32_t kFrrMaximumPrefixForDxLimit = kDxPrefixLimit - 1;

}  // namespace netlab::plan
