#include "netlab/kernel/netns.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <exception>

#include "netlab/base/error.h"
#include "netlab/kernel/rtnl.h"
#include "netlab/kernel/rtnl_codec.h"

namespace netlab::kernel {

std::string netns_path(const std::string& name) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos ||
      name.size() > NAME_MAX) {
    throw KernelError("netns", name, EINVAL, "not a valid namespace name");
  }
  return std::string(kNetnsRunDir) + "/" + name;
}

UniqueFd netns_open(const std::string& name) {
  std::string path = name.empty() ? "/proc/self/ns/net" : netns_path(name);
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) throw KernelError("netns_open", name, errno);
  return fd;
}

NetnsId netns_id_of(int nsfd) {
  struct stat st {};
  check_errno(::fstat(nsfd, &st), "netns_stat", "fd " + std::to_string(nsfd));
  return NetnsId{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
}

std::optional<NetnsId> netns_stat(const std::string& name) {
  std::string path = netns_path(name);
  struct statfs fs {};
  if (::statfs(path.c_str(), &fs) < 0) {
    if (errno == ENOENT) return std::nullopt;
    throw KernelError("netns_stat", name, errno);
  }
  if (static_cast<unsigned long>(fs.f_type) != NSFS_MAGIC) return std::nullopt;
  struct stat st {};
  if (::stat(path.c_str(), &st) < 0) {
    if (errno == ENOENT) return std::nullopt;
    throw KernelError("netns_stat", name, errno);
  }
  return NetnsId{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
}

std::vector<std::string> netns_names() {
  std::vector<std::string> names;
  DIR* d = ::opendir(kNetnsRunDir);
  if (d == nullptr) {
    if (errno == ENOENT) return names;
    throw KernelError("netns_list", kNetnsRunDir, errno);
  }
  while (dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(n);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

namespace {

// As iproute2's netns_add: /run/netns must be a mount point with shared
// propagation, so that unmounting a namespace file here also unmounts it in
// every mount namespace that copied it (a daemon's private mount namespace
// would otherwise keep the network namespace alive).
void prepare_run_dir() {
  if (::mkdir(kNetnsRunDir, 0755) < 0 && errno != EEXIST) {
    throw KernelError("netns_mkdir", kNetnsRunDir, errno);
  }
  bool made_mount_point = false;
  while (::mount("", kNetnsRunDir, "none", MS_SHARED | MS_REC, nullptr) < 0) {
    // EINVAL: not a mount point yet; bind it onto itself once, then retry.
    if (errno != EINVAL || made_mount_point) {
      throw KernelError("netns_make_shared", kNetnsRunDir, errno);
    }
    if (::mount(kNetnsRunDir, kNetnsRunDir, "none", MS_BIND | MS_REC, nullptr) < 0) {
      throw KernelError("netns_bind_run_dir", kNetnsRunDir, errno);
    }
    made_mount_point = true;
  }
}

void remove_placeholder(const std::string& path) {
  ::umount2(path.c_str(), MNT_DETACH);  // EINVAL when the mount never happened
  ::unlink(path.c_str());
}

}  // namespace

void enter_anonymous_netns() { check_errno(::unshare(CLONE_NEWNET), "unshare", "CLONE_NEWNET"); }

NetnsId netns_create_named(const std::string& name, const std::function<void()>& inside,
                           const std::function<void(const NetnsId&)>& identified) {
  const std::string path = netns_path(name);
  prepare_run_dir();
  // O_EXCL: an existing name fails here with EEXIST and is left untouched.
  {
    UniqueFd placeholder(::open(path.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0));
    if (!placeholder) throw KernelError("netns_create", name, errno);
  }
  // Only this thread moves into the new namespace, and it exits afterwards:
  // the caller's threads never change namespace.
  std::exception_ptr error;
  std::thread t([&] {
    try {
      check_errno(::unshare(CLONE_NEWNET), "netns_create: unshare", name);
      if (identified) {
        UniqueFd self(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
        if (!self) throw KernelError("netns_create: open own namespace", name, errno);
        identified(netns_id_of(self.get()));
      }
      if (::mount("/proc/thread-self/ns/net", path.c_str(), "none", MS_BIND, nullptr) < 0) {
        throw KernelError("netns_create: bind mount", name, errno);
      }
      NlSocket rtnl;
      MsgBuilder lo_up = encode_link_set_up("lo", true);
      rtnl.request(lo_up, "netns_create: link_set_up lo", name);
      if (inside) inside();
    } catch (...) {
      error = std::current_exception();
    }
  });
  t.join();
  if (error) {
    remove_placeholder(path);
    std::rethrow_exception(error);
  }
  auto id = netns_stat(name);
  if (!id) {
    remove_placeholder(path);
    throw KernelError("netns_create", name, ENOENT, "namespace file vanished after mount");
  }
  return *id;
}

bool netns_remove_placeholder(const std::string& name) {
  const std::string path = netns_path(name);
  struct statfs fs {};
  if (::statfs(path.c_str(), &fs) < 0) {
    if (errno == ENOENT) return false;
    throw KernelError("netns_stat", name, errno);
  }
  if (static_cast<unsigned long>(fs.f_type) == NSFS_MAGIC) return false;  // a namespace
  struct stat st {};
  if (::lstat(path.c_str(), &st) < 0) {
    if (errno == ENOENT) return false;
    throw KernelError("netns_stat", name, errno);
  }
  if (!S_ISREG(st.st_mode) || st.st_size != 0) return false;
  if (::unlink(path.c_str()) < 0) {
    if (errno == ENOENT) return false;
    throw KernelError("netns_remove_placeholder", name, errno);
  }
  return true;
}

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

std::optional<uint64_t> current_netns_cookie() {
  UniqueFd s(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!s) throw KernelError("socket", "netns cookie", errno);
  uint64_t cookie = 0;
  socklen_t len = sizeof cookie;
  if (::getsockopt(s.get(), SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len) < 0) {
    if (errno == ENOPROTOOPT) return std::nullopt;  // before Linux 5.14
    throw KernelError("getsockopt SO_NETNS_COOKIE", "netns cookie", errno);
  }
  return cookie;
}

std::optional<uint64_t> netns_cookie(int nsfd, const std::string& name) {
  NetnsGuard guard(nsfd, name);
  auto cookie = current_netns_cookie();
  guard.leave();
  return cookie;
}

void netns_delete_named(const std::string& name) {
  const std::string path = netns_path(name);
  if (::umount2(path.c_str(), MNT_DETACH) < 0 && errno != EINVAL) {
    // EINVAL: not mounted (a placeholder); the unlink below still removes it.
    throw KernelError("netns_delete", name, errno);
  }
  check_errno(::unlink(path.c_str()), "netns_delete", name);
}

NetnsGuard::NetnsGuard(int nsfd, std::string name)
    : original_(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)), name_(std::move(name)) {
  if (!original_) throw KernelError("netns_enter", name_, errno, "cannot open own namespace");
  check_errno(::setns(nsfd, CLONE_NEWNET), "netns_enter", name_);
  inside_ = true;
}

void NetnsGuard::leave() {
  if (!inside_) return;
  check_errno(::setns(original_.get(), CLONE_NEWNET), "netns_leave", name_);
  inside_ = false;
}

NetnsGuard::~NetnsGuard() {
  if (!inside_) return;
  if (::setns(original_.get(), CLONE_NEWNET) < 0) {
    std::fprintf(stderr, "netlab: cannot move thread back from network namespace %s: %s\n",
                 name_.c_str(), std::strerror(errno));
    std::terminate();
  }
}

}  // namespace netlab::kernel
