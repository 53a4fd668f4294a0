// Waiting for daemons by events instead of polling: a file appearing in a
// directory (inotify: a daemon binding its socket) and any readable fd (a
// pidfd: the process exited), in one poll(2).
//
// Each source carries the caller's key; wait() returns the keys with news.
// A path's news means "a directory entry of that name was created or moved
// into place": the caller checks what it is (a socket, say). The queue of
// inotify events may overflow under a storm of creations; wait() then
// reports every watched path, and the caller's check sorts it out.
// Errors: KernelError. Threads: one thread at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "netlab/kernel/unique_fd.h"

namespace netlab::process {

class EventWait {
 public:
  EventWait();
  // Reports `key` when an entry named as path's last component appears in
  // its directory (which must exist).
  void watch_path(const std::string& path, uint64_t key);
  // Reports `key` when `fd` is readable; the fd stays the caller's and must
  // outlive the watch.
  void watch_fd(int fd, uint64_t key);
  // Stops reporting `key` (a path's directory watch goes with its last path).
  void forget(uint64_t key);
  size_t size() const { return paths_.size() + fds_.size(); }
  // Waits up to `timeout` for news; returns the keys that have some (each
  // once), empty on timeout. EINTR returns early with what is there.
  std::vector<uint64_t> wait(std::chrono::milliseconds timeout);

 private:
  struct Dir {
    int wd = -1;
    std::map<std::string, uint64_t> names;  // entry name -> key
  };
  kernel::UniqueFd inotify_;
  std::map<std::string, Dir> dirs_;                           // directory -> its watch
  std::map<uint64_t, std::pair<std::string, std::string>> paths_;  // key -> (directory, name)
  std::map<int, std::string> wds_;                            // watch descriptor -> directory
  std::map<uint64_t, int> fds_;                               // key -> fd
};

}  // namespace netlab::process
