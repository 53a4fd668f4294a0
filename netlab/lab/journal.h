// The lab journal: /run/netlab/<lab>/journal, one JSON object per line.
//
// Every kernel object and process is recorded BEFORE it is created (an
// "intent"), and its identity (namespace inode and cookie, pid + start time)
// before it can be used: a namespace's from inside it before it is named, a
// process's while it is held before execve. Each line is fsync'd. Teardown
// reads the journal and undoes it backwards, removing exactly what it lists.
// Because nothing is created unrecorded, a SIGKILL or a reboot at any instant
// leaves a journal that `netlab down` can finish: an intent without an
// identity means the object never came to be (or, for a namespace, never got
// its name), so anything found under that name is not the lab's.
//
// Lines (op, then fields):
//   lab         name, owner_pid, owner_start, boot_id, created, topology, version
//   netns       name                                  intent
//   netns-id    name, dev, ino[, cookie]              identity, before the name exists
//   veth        link, a, b                            intent (dies with its namespaces)
//   process     node, name, ns, argv0                 intent
//   process-id  node, name, pid, start                identity, before execve
//   killed      node                                  a crash fault killed its daemons
//   state       state[, pid, start]                   converged, kept, up, tearing-down
//
// Threads: a Journal is used by one thread at a time. Errors: Error / KernelError.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "netlab/kernel/unique_fd.h"

namespace netlab::lab {

// One line of the journal.
struct Entry {
  std::string op;  // lab, dir, file, netns, netns-id, veth, process, process-id, ...
  nlohmann::json data;
};

class Journal {
 public:
  // Creates <dir>/journal exclusively (O_EXCL, 0600). Throws when it exists.
  static Journal create(const std::string& dir);
  // Opens an existing journal for appending (after a crash, `netlab down`).
  static Journal open(const std::string& dir);
  // Reads every complete line; a torn last line (crash mid-write) is ignored.
  static std::vector<Entry> read(const std::string& dir);

  // Appends one entry and fsyncs it.
  void append(const std::string& op, nlohmann::json data);
  const std::string& path() const { return path_; }

 private:
  Journal(kernel::UniqueFd fd, std::string path) : fd_(std::move(fd)), path_(std::move(path)) {}
  kernel::UniqueFd fd_;
  std::string path_;
};

}  // namespace netlab::lab
