// UniqueFd: the one owner of a file descriptor. Closes it exactly once, in
// the destructor or reset(); moves transfer ownership. Not thread-safe (like
// the fd itself, it belongs to whoever holds it).
#pragma once

#include <unistd.h>

#include <utility>

namespace netlab::kernel {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(o.release()) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) reset(o.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  int release() { return std::exchange(fd_, -1); }
  // close() errors are ignored on purpose: the fd is gone either way (Linux
  // releases it even on EINTR), and retrying could close someone else's fd.
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

}  // namespace netlab::kernel
