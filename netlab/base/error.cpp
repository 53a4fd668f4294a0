#include "netlab/base/error.h"

#include <cerrno>
#include <cstring>

namespace netlab {

static std::string kernel_message(const std::string& op, const std::string& object, int err,
                                  const std::string& extack) {
  std::string m = op;
  if (!object.empty()) m += " " + object;
  m += ": ";
  m += std::strerror(err);
  if (!extack.empty()) m += ": " + extack;
  return m;
}

KernelError::KernelError(std::string op, std::string object, int err, std::string extack)
    : Error(kernel_message(op, object, err, extack)),
      op_(std::move(op)),
      object_(std::move(object)),
      err_(err),
      extack_(std::move(extack)) {}

long check_errno(long rc, const std::string& op, const std::string& object) {
  if (rc < 0) throw KernelError(op, object, errno);
  return rc;
}

}  // namespace netlab
