// Named network namespaces, the way iproute2 keeps them, and moving a thread
// into one for a moment.
//
// A named namespace is a bind mount of its nsfs object onto /run/netns/NAME
// (/run/netns itself a shared mount point, so that an unmount propagates to
// every mount namespace and the namespace can die). Creation never moves the
// calling thread: a short-lived thread unshares, mounts and exits.
//
// Namespace membership is per thread on Linux: NetnsGuard moves only the
// calling thread and moves it back. Anything opened inside (a netlink
// socket, an nft context) stays bound to that namespace after leaving.
//
// Errors: KernelError with the operation, the namespace name and errno.
// Threads: every function may be called from any thread.
#pragma once

#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "netlab/kernel/types.h"
#include "netlab/kernel/unique_fd.h"

namespace netlab::kernel {

inline constexpr const char* kNetnsRunDir = "/run/netns";

// "/run/netns/NAME"; throws KernelError(EINVAL) for a name that is not a
// single path component (empty, ".", "..", contains '/', longer than NAME_MAX).
std::string netns_path(const std::string& name);

// An O_RDONLY|O_CLOEXEC fd of the named namespace; "" is the namespace of the
// process (its thread group leader). Throws KernelError("netns_open", name, errno).
UniqueFd netns_open(const std::string& name);

// Identity of the namespace an nsfs fd refers to.
NetnsId netns_id_of(int nsfd);

// Identity of /run/netns/NAME; nullopt when the file is absent or is not a
// mounted namespace (a placeholder left by an interrupted create).
std::optional<NetnsId> netns_stat(const std::string& name);

// Names under /run/netns, sorted; empty when the directory does not exist.
std::vector<std::string> netns_names();

// Like `ip netns add NAME`, plus `lo` brought up. `inside`, when given, runs
// on the creating thread while it is inside the new namespace (to open
// sockets there without another namespace switch); if it throws, the
// namespace is removed again and the exception propagates. Fails with EEXIST,
// touching nothing, when the name is taken.
//
// `identified`, when given, runs on the creating thread inside the new
// namespace BEFORE it gets its name (before the bind mount), with the
// namespace's identity (that of /proc/thread-self/ns/net); the lab journals
// it there, so that a recorded intent without an identity can only mean
// "never named". If it throws, the namespace never gets its name (it dies
// with the thread) and the exception propagates.
//
// The steps, for what an interruption at any point leaves: (1) the file
// /run/netns/NAME is created empty, O_EXCL (the name is reserved); (2) a
// thread unshares a new namespace; (3) `identified`; (4) the namespace is
// bind-mounted onto the file (named); (5) lo up; (6) `inside`. A process
// killed between (1) and (4) leaves an empty placeholder file behind, which
// netns_remove_placeholder() removes.
NetnsId netns_create_named(const std::string& name, const std::function<void()>& inside = {},
                           const std::function<void(const NetnsId&)>& identified = {});

// Removes /run/netns/NAME when it is an empty regular file that no namespace
// is mounted on (the placeholder of an interrupted create); true when it did.
// A mounted namespace, or anything else, is left alone (false).
bool netns_remove_placeholder(const std::string& name);

// The cookie of the calling thread's network namespace (SO_NETNS_COOKIE,
// Linux 5.14): unlike the nsfs inode, which the kernel gives to the next
// namespace as soon as one dies, a cookie is never reused while the host
// runs. nullopt when the kernel has none.
std::optional<uint64_t> current_netns_cookie();
// The cookie of the namespace `nsfd` refers to (the calling thread enters it
// for a moment); `name` is for error messages.
std::optional<uint64_t> netns_cookie(int nsfd, const std::string& name);

// Like `ip netns del NAME`: lazy unmount, then unlink. The namespace itself
// dies with its last reference (process, socket, open fd). ENOENT when absent.
void netns_delete_named(const std::string& name);

// Moves the calling thread into a network namespace until leave() or the
// destructor moves it back.
class NetnsGuard {
 public:
  // `nsfd` is an nsfs fd (netns_open); `name` is only for error messages.
  NetnsGuard(int nsfd, std::string name);
  NetnsGuard(const NetnsGuard&) = delete;
  NetnsGuard& operator=(const NetnsGuard&) = delete;
  // Moves back if leave() was not called. A failure to move back here would
  // leave this thread silently in the wrong namespace, so every later
  // operation would hit the wrong lab node: it prints why and terminates.
  // Call leave() on the normal path to get an exception instead.
  ~NetnsGuard();
  // Moves the thread back now; throws KernelError("netns_leave", ...) on failure.
  void leave();

 private:
  UniqueFd original_;
  std::string name_;
  bool inside_ = false;
};

// unshare(CLONE_NEWNET) on the calling thread. Only for threads that exit
// afterwards (in_anonymous_netns): the thread never comes back.
void enter_anonymous_netns();

// Runs fn() on a new thread inside a new anonymous network namespace (nothing
// named, nothing left once fn returns and its objects are closed) and returns
// its result; fn's exception propagates. For probing kernel features.
template <class F>
auto in_anonymous_netns(F&& fn) -> std::invoke_result_t<F&> {
  using R = std::invoke_result_t<F&>;
  std::exception_ptr error;
  std::optional<std::conditional_t<std::is_void_v<R>, int, R>> result;
  std::thread t([&] {
    try {
      enter_anonymous_netns();
      if constexpr (std::is_void_v<R>) {
        fn();
        result.emplace(0);
      } else {
        result.emplace(fn());
      }
    } catch (...) {
      error = std::current_exception();
    }
  });
  t.join();
  if (error) std::rethrow_exception(error);
  if constexpr (!std::is_void_v<R>) return std::move(*result);
}

}  // namespace netlab::kernel
