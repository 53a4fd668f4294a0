#include "netlab/process/events.h"

#include <poll.h>
#include <sys/inotify.h>

#include <algorithm>
#include <cerrno>
#include <set>

#include "netlab/base/error.h"

namespace netlab::process {

EventWait::EventWait() : inotify_(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {
  if (!inotify_) throw KernelError("inotify_init1", "", errno);
}

void EventWait::watch_path(const std::string& path, uint64_t key) {
  forget(key);
  const auto slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  auto it = dirs_.find(dir);
  if (it == dirs_.end()) {
    int wd = ::inotify_add_watch(inotify_.get(), dir.c_str(), IN_CREATE | IN_MOVED_TO | IN_ONLYDIR);
    if (wd < 0) throw KernelError("inotify_add_watch", dir, errno);
    it = dirs_.emplace(dir, Dir{wd, {}}).first;
    wds_[wd] = dir;
  }
  it->second.names[name] = key;
  paths_[key] = {dir, name};
}

void EventWait::watch_fd(int fd, uint64_t key) {
  forget(key);
  fds_[key] = fd;
}

void EventWait::forget(uint64_t key) {
  fds_.erase(key);
  auto p = paths_.find(key);
  if (p == paths_.end()) return;
  auto d = dirs_.find(p->second.first);
  if (d != dirs_.end()) {
    d->second.names.erase(p->second.second);
    if (d->second.names.empty()) {
      // The directory may be gone already (then so is its watch).
      ::inotify_rm_watch(inotify_.get(), d->second.wd);
      wds_.erase(d->second.wd);
      dirs_.erase(d);
    }
  }
  paths_.erase(p);
}

std::vector<uint64_t> EventWait::wait(std::chrono::milliseconds timeout) {
  std::vector<pollfd> pfds;
  std::vector<uint64_t> keys;
  pfds.push_back({inotify_.get(), POLLIN, 0});
  for (const auto& [key, fd] : fds_) {
    pfds.push_back({fd, POLLIN, 0});
    keys.push_back(key);
  }
  const int ms = static_cast<int>(std::max<int64_t>(0, timeout.count()));
  int rc = ::poll(pfds.data(), pfds.size(), ms);
  if (rc < 0) {
    if (errno == EINTR) return {};
    throw KernelError("poll", "events", errno);
  }
  std::set<uint64_t> news;
  for (size_t i = 1; i < pfds.size(); ++i)
    if (pfds[i].revents) news.insert(keys[i - 1]);
  if (pfds[0].revents & POLLIN) {
    alignas(inotify_event) char buf[16384];
    for (;;) {
      ssize_t n = ::read(inotify_.get(), buf, sizeof buf);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN) break;
        throw KernelError("read", "inotify", errno);
      }
      for (char* p = buf; p < buf + n;) {
        auto* e = reinterpret_cast<inotify_event*>(p);
        p += sizeof(inotify_event) + e->len;
        if (e->mask & IN_Q_OVERFLOW) {
          for (const auto& [key, where] : paths_) news.insert(key);
          continue;
        }
        auto w = wds_.find(e->wd);
        if (w == wds_.end() || e->len == 0) continue;
        const auto& names = dirs_[w->second].names;
        auto k = names.find(e->name);
        if (k != names.end()) news.insert(k->second);
      }
    }
  }
  return {news.begin(), news.end()};
}

}  // namespace netlab::process
