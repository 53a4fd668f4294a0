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
  std::vector<pid_t> out;
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
    if (::stat(path.c_str(), &st) == 0 && static_cast<uint64_t>(st.st_dev) == dev &&
        static_cast<uint64_t>(st.st_ino) == ino)
      out.push_back(static_cast<pid_t>(pid));
  }
  return out;
}

}  // namespace netlab::process
