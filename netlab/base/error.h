// One error convention for all of netlab.
//
// Failures are exceptions that say what was being done, to which object and
// why. Each kind maps to one exit code of the command line (docs/design.md, "Lifecycle"):
//   InputError        2  the topology or the command line is wrong; nothing was touched
//   EnvironmentError  3  not root, a program or kernel feature is missing
//   KernelError       4  the kernel refused an operation (errno + extended ack)
//   Error             4  any other failure while a lab is built, run or torn down
// Exit code 1 (a target missed) is a result, not an error.
#pragma once

#include <stdexcept>
#include <string>

namespace netlab {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
  virtual int exit_code() const { return 4; }
};

class InputError : public Error {
 public:
  using Error::Error;
  int exit_code() const override { return 2; }
};

class EnvironmentError : public Error {
 public:
  using Error::Error;
  int exit_code() const override { return 3; }
};

// A failed system call or netlink request.
// what(): "<op> <object>: <strerror(err)>[: <extack>]"
class KernelError : public Error {
 public:
  KernelError(std::string op, std::string object, int err, std::string extack = {});
  const std::string& op() const { return op_; }
  const std::string& object() const { return object_; }
  int err() const { return err_; }
  const std::string& extack() const { return extack_; }

 private:
  std::string op_, object_;
  int err_;
  std::string extack_;
};

// Throws KernelError(op, object, errno) when rc < 0; returns rc otherwise.
long check_errno(long rc, const std::string& op, const std::string& object);

}  // namespace netlab
