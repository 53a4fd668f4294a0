#include "netlab/fault/kinds.h"

#include "netlab/base/error.h"

namespace netlab::fault {

const KindInfo& kind_info(topology::FaultKind k) {
  for (const auto& row : kKinds)
    if (row.kind == k) return row;
  throw InputError("unknown fault kind " + std::string(topology::to_string(k)));
}

const KindInfo* find_kind(std::string_view name) {
  for (const auto& row : kKinds)
    if (row.name == name) return &row;
  return nullptr;
}

std::unique_ptr<Fault> make_fault(const topology::Fault& f, const plan::Plan& p, lab::Control& c) {
  return kind_info(f.kind).make(f, Targets(p), c);
}

}  // namespace netlab::fault
