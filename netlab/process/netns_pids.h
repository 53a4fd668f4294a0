// Which processes live in a given network namespace, found by the inode of
// /proc/PID/ns/net. Teardown uses it as a safety net: a process a lab started
// in the instant before its pid reached the journal is still inside one of
// the lab's namespaces, whose identity the journal does hold.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <vector>

namespace netlab::process {

// Throws KernelError when /proc cannot be read.
std::vector<pid_t> pids_in_netns(uint64_t netns_inode);

}  // namespace netlab::process
