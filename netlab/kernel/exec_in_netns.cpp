#include "netlab/kernel/exec_in_netns.h"

#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>

#include "netlab/base/error.h"
#include "netlab/kernel/netns.h"

namespace netlab::kernel {

void exec_in_netns(const std::string& ns, const std::vector<std::string>& argv) {
  if (argv.empty()) throw Error("exec: no command");
  UniqueFd fd = netns_open(ns);
  check_errno(::setns(fd.get(), CLONE_NEWNET), "setns", ns);
  check_errno(::unshare(CLONE_NEWNS), "unshare mount namespace for", ns);
  check_errno(::mount("", "/", nullptr, MS_SLAVE | MS_REC, nullptr), "make / a slave mount for", ns);
  // /sys shows the network namespace of whoever mounted it: mount it afresh.
  if (::umount2("/sys", MNT_DETACH) == 0)
    check_errno(::mount(ns.c_str(), "/sys", "sysfs", 0, nullptr), "mount /sys for", ns);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  ::execvp(args[0], args.data());
  throw KernelError("exec", argv[0], errno);
}

}  // namespace netlab::kernel
