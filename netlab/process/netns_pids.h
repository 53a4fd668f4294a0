// Which processes live in a given network namespace, found by the device and
// inode of /proc/PID/ns/net. The kernel reuses a dead namespace's inode at once: the
// caller must hold the namespace open while it asks (lab/namespaces.cpp
// does, and compares the namespace's cookie as well).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <vector>

namespace netlab::process {

// Throws KernelError when /proc cannot be read.
std::vector<pid_t> pids_in_netns(uint64_t netns_dev, uint64_t netns_inode);

}  // namespace netlab::process
