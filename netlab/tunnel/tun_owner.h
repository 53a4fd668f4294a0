// Which TUN device a process holds: kernel-libipsec names its TUN "ipsec%d"
// (the first free number in the namespace), so with several charon
// instances on one node the name says nothing about the owner. The owner is
// found instead: the processes in the node's namespace whose environment
// carries the instance's own STRONGSWAN_CONF, and the "iff:" line of the
// fdinfo of their /dev/net/tun descriptor.
//
// Errors: KernelError when /proc cannot be read. Threads: any.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace netlab::tunnel {

// The interface name in a /proc/PID/fdinfo/FD text of a TUN descriptor
// ("iff:\tipsec0"); nullopt for any other descriptor. Pure.
std::optional<std::string> parse_fdinfo_iff(const std::string& fdinfo);
// Whether a /proc/PID/environ blob (NUL-separated) holds `entry` exactly. Pure.
bool environ_has(const std::string& environ, const std::string& entry);

// The TUN devices held by processes in the named network namespace `ns`
// whose environment holds `env_entry` ("STRONGSWAN_CONF=/run/...").
std::vector<std::string> tun_devices_of(const std::string& ns, const std::string& env_entry);

}  // namespace netlab::tunnel
