// Replaces the calling process with a program running inside a named network
// namespace, as `ip netns exec` does: a private mount namespace with /sys
// remounted, so that tools reading /sys/class/net see the namespace's links.
// For `netlab exec`. The argv is the user's own command, never a shell line.
#pragma once

#include <string>
#include <vector>

namespace netlab::kernel {

// Does not return on success; throws KernelError naming the failed step.
[[noreturn]] void exec_in_netns(const std::string& ns, const std::vector<std::string>& argv);

}  // namespace netlab::kernel
