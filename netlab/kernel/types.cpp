#include "netlab/kernel/types.h"

namespace netlab::kernel {

std::string NetnsId::str() const { return std::to_string(dev) + ":" + std::to_string(ino); }

std::string VethPair::str() const { return ns_a + ":" + if_a + " <-> " + ns_b + ":" + if_b; }

std::string Address::str() const { return addr.str() + " dev " + ifname; }

}  // namespace netlab::kernel
