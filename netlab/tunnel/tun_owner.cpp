#include "netlab/tunnel/tun_owner.h"

#include <dirent.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>

#include "netlab/base/error.h"
#include "netlab/kernel/netns.h"
#include "netlab/process/netns_pids.h"

namespace netlab::tunnel {

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

std::optional<std::string> parse_fdinfo_iff(const std::string& fdinfo) {
  std::istringstream in(fdinfo);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.starts_with("iff:")) continue;
    size_t b = line.find_first_not_of(" \t", 4);
    if (b == std::string::npos) return std::nullopt;
    return line.substr(b);
  }
  return std::nullopt;
}

bool environ_has(const std::string& environ, const std::string& entry) {
  size_t pos = 0;
  while (pos < environ.size()) {
    size_t end = environ.find('\0', pos);
    if (end == std::string::npos) end = environ.size();
    if (environ.compare(pos, end - pos, entry) == 0) return true;
    pos = end + 1;
  }
  return false;
}

std::vector<std::string> tun_devices_of(const std::string& ns, const std::string& env_entry) {
  auto id = kernel::netns_stat(ns);
  if (!id) throw KernelError("find tun devices", ns, ENOENT);
  std::vector<std::string> out;
  for (pid_t pid : process::pids_in_netns(id->dev, id->ino)) {
    const std::string base = "/proc/" + std::to_string(pid);
    // A process that exits meanwhile reads as empty: not ours.
    if (!environ_has(slurp(base + "/environ"), env_entry)) continue;
    struct Closedir {
      void operator()(DIR* d) const { closedir(d); }
    };
    std::unique_ptr<DIR, Closedir> d(opendir((base + "/fd").c_str()));
    if (!d) continue;
    while (dirent* e = readdir(d.get())) {
      if (e->d_name[0] == '.') continue;
      char target[64] = {};
      std::string link = base + "/fd/" + e->d_name;
      ssize_t n = ::readlink(link.c_str(), target, sizeof target - 1);
      if (n <= 0 || std::string(target, static_cast<size_t>(n)) != "/dev/net/tun") continue;
      if (auto iff = parse_fdinfo_iff(slurp(base + "/fdinfo/" + e->d_name))) out.push_back(*iff);
    }
  }
  return out;
}

}  // namespace netlab::tunnel
