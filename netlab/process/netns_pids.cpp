#include "netlab/process/netns_pids.h"

#include "netlab/base/error.h"

#include <dirent.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <memory>
#include <string>

namespace netlab::process {

std::vector<pid_t> pids_in_netns(uint64_t dev, uint64_t ino) {
  auto all = pids_in_netns_all({{dev, ino}});
  auto it = all.find({dev, ino});
  return it == all.end() ? std::vector<pid_t>{} : it->second;
}

std::map<std::pair<uint64_t, uint64_t>, std::vector<pid_t>> pids_in_netns_all(
    const std::set<std::pair<uint64_t, uint64_t>>& ids) {
  std::map<std::pair<uint64_t, uint64_t>, std::vector<pid_t>> out;
  struct Closedir {
    void operator()(DIR* d) const { closedir(d); }
  };
  std::unique_ptr<DIR, Closedir> d(opendir("/proc"));
  // An unreadable /proc must not read as "nobody inside": teardown would
  // then delete a namespace that processes keep alive, unseen.
  if (!d) throw KernelError("opendir", "/proc", errno);
  while (dirent* e = readdir(d.get())) {
    char* end = nullptr;
    long pid = std::strtol(e->d_name, &end, 10);
    if (*end != '\0' || pid <= 0) continue;
    struct stat st;
    std::string path = std::string("/proc/") + e->d_name + "/ns/net";
    if (::stat(path.c_str(), &st) != 0) continue;
    auto id = std::make_pair(static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino));
    if (ids.count(id)) out[id].push_back(static_cast<pid_t>(pid));
  }
  return out;
}

}  // namespace netlab::process
