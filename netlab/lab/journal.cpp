#include "netlab/lab/journal.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>

#include "netlab/base/error.h"

namespace netlab::lab {

Journal Journal::create(const std::string& dir) {
  std::string path = dir + "/journal";
  kernel::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600));
  check_errno(fd.get(), "create journal", path);
  return Journal(std::move(fd), path);
}

Journal Journal::open(const std::string& dir) {
  std::string path = dir + "/journal";
  kernel::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC));
  check_errno(fd.get(), "open journal", path);
  return Journal(std::move(fd), path);
}

std::vector<Entry> Journal::read(const std::string& dir) {
  std::string path = dir + "/journal";
  std::ifstream in(path);
  if (!in) throw KernelError("read journal", path, errno);
  std::vector<Entry> out;
  std::string line;
  while (std::getline(in, line)) {
    if (in.eof()) break;  // no trailing newline: a torn write; the object was never created
    auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object() || !j.contains("op")) continue;
    Entry e;
    e.op = j["op"].get<std::string>();
    j.erase("op");
    e.data = std::move(j);
    out.push_back(std::move(e));
  }
  return out;
}

void Journal::append(const std::string& op, nlohmann::json data) {
  data["op"] = op;
  std::string line = data.dump() + "\n";
  const char* p = line.data();
  size_t left = line.size();
  while (left > 0) {
    ssize_t n = ::write(fd_.get(), p, left);
    if (n < 0 && errno == EINTR) continue;
    check_errno(n, "write journal", path_);
    p += n;
    left -= static_cast<size_t>(n);
  }
  check_errno(::fdatasync(fd_.get()), "sync journal", path_);
}

}  // namespace netlab::lab
