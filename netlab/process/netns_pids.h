// Which processes live in a given network namespace, found by the device and
// inode of /proc/PID/ns/net. The kernel reuses a dead namespace's inode at once: the
// caller must hold the namespace open while it asks (lab/namespaces.cpp
// does, and compares the namespace's cookie as well).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <set>
#include <utility>
#include <vector>

namespace netlab::process {

// Throws KernelError when /proc cannot be read.
std::vector<pid_t> pids_in_netns(uint64_t netns_dev, uint64_t netns_inode);

// The same for several namespaces in one pass over /proc: (dev, inode) ->
// the pids inside (namespaces with none are left out).
std::map<std::pair<uint64_t, uint64_t>, std::vector<pid_t>> pids_in_netns_all(
    const std::set<std::pair<uint64_t, uint64_t>>& netns_ids);

}  // namespace netlab::process
