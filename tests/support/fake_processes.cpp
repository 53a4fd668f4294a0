#include "support/fake_processes.h"

#include <signal.h>

#include <cerrno>

#include "netlab/base/error.h"

namespace netlab::testing {

using process::ExitStatus;
using process::ProcessId;
using process::ProcessSpec;

void FakeProcesses::record(std::string line) { calls_.push_back(std::move(line)); }

FakeProcesses::Proc* FakeProcesses::find(const ProcessId& id, const char* op) {
  if (id.pid <= 0) throw KernelError(op, id.str(), EINVAL);
  auto it = procs_.find(id);
  if (it != procs_.end()) return &it->second;
  for (auto& [other, proc] : procs_) {
    if (other.pid == id.pid && proc.alive) {
      throw KernelError(op, id.str() + " (pid now belongs to another process)", ESRCH);
    }
  }
  return nullptr;
}

const FakeProcesses::Proc* FakeProcesses::find_const(const ProcessId& id) const {
  auto it = procs_.find(id);
  return it == procs_.end() ? nullptr : &it->second;
}

ProcessId FakeProcesses::spawn(const ProcessSpec& spec) {
  std::lock_guard lock(mu_);
  record("spawn " + spec.str());
  const int n = ++spawn_calls_;
  if (auto it = failures_.find(n); it != failures_.end()) {
    throw KernelError(it->second.second, spec.argv.empty() ? "" : spec.argv[0], it->second.first);
  }
  if (spec.argv.empty()) throw Error("spawn: empty argv");
  ProcessId id{next_pid_++, next_start_++};
  procs_[id] = Proc{.spec = spec};
  order_.push_back(id);
  return id;
}

ProcessId FakeProcesses::spawn_held(const ProcessSpec& spec,
                                    const std::function<void(const ProcessId&)>& while_held) {
  const ProcessId id = spawn(spec);
  if (!while_held) return id;
  // Outside the lock: the callback may well ask this fake about processes.
  try {
    while_held(id);
  } catch (...) {
    std::lock_guard lock(mu_);
    record("signal " + id.str() + " " + std::to_string(SIGKILL));
    Proc& p = procs_.at(id);
    p.alive = false;
    p.status = ExitStatus{.code = 0, .signal = SIGKILL};
    throw;
  }
  return id;
}

bool FakeProcesses::alive(const ProcessId& id) {
  std::lock_guard lock(mu_);
  record("alive " + id.str());
  const Proc* p = find_const(id);
  return p != nullptr && p->alive;
}

void FakeProcesses::deliver(Proc& p, int sig) {
  if (!p.alive || p.unkillable) return;
  const bool terminates = sig == SIGKILL || ((sig == SIGTERM || sig == SIGINT) && !p.ignores_term);
  if (terminates) {
    p.alive = false;
    p.status = ExitStatus{.code = 0, .signal = sig};
  }
}

void FakeProcesses::signal(const ProcessId& id, int sig) {
  std::lock_guard lock(mu_);
  record("signal " + id.str() + " " + std::to_string(sig));
  if (Proc* p = find(id, "signal")) deliver(*p, sig);
}

bool FakeProcesses::wait_gone(const ProcessId& id, std::chrono::milliseconds) {
  std::lock_guard lock(mu_);
  record("wait_gone " + id.str());
  const Proc* p = find_const(id);
  return p == nullptr || !p->alive;
}

bool FakeProcesses::stop(const ProcessId& id, std::chrono::milliseconds) {
  std::lock_guard lock(mu_);
  record("stop " + id.str());
  auto it = procs_.find(id);
  if (it == procs_.end() || !it->second.alive) return true;  // gone, or not ours
  Proc* p = &it->second;
  deliver(*p, SIGTERM);
  if (p->alive) deliver(*p, SIGKILL);
  return !p->alive;
}

std::optional<ExitStatus> FakeProcesses::exit_status(const ProcessId& id) {
  std::lock_guard lock(mu_);
  record("exit_status " + id.str());
  const Proc* p = find_const(id);
  return p ? p->status : std::nullopt;
}

std::vector<std::string> FakeProcesses::calls() const {
  std::lock_guard lock(mu_);
  return calls_;
}

std::vector<std::string> FakeProcesses::actions() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (const auto& c : calls_) {
    if (c.starts_with("alive ") || c.starts_with("wait_gone ") || c.starts_with("exit_status ")) {
      continue;
    }
    out.push_back(c);
  }
  return out;
}

void FakeProcesses::clear_calls() {
  std::lock_guard lock(mu_);
  calls_.clear();
}

std::vector<ProcessSpec> FakeProcesses::spawned() const {
  std::lock_guard lock(mu_);
  std::vector<ProcessSpec> out;
  for (const auto& id : order_) out.push_back(procs_.at(id).spec);
  return out;
}

std::optional<ProcessSpec> FakeProcesses::spec_of(const ProcessId& id) const {
  std::lock_guard lock(mu_);
  const Proc* p = find_const(id);
  return p ? std::optional(p->spec) : std::nullopt;
}

std::vector<ProcessId> FakeProcesses::running() const {
  std::lock_guard lock(mu_);
  std::vector<ProcessId> out;
  for (const auto& id : order_) {
    if (procs_.at(id).alive) out.push_back(id);
  }
  return out;
}

void FakeProcesses::crash(const ProcessId& id, ExitStatus how) {
  std::lock_guard lock(mu_);
  auto it = procs_.find(id);
  if (it == procs_.end()) throw Error("FakeProcesses::crash: unknown process " + id.str());
  it->second.alive = false;
  it->second.status = how;
}

void FakeProcesses::ignore_sigterm(const ProcessId& id) {
  std::lock_guard lock(mu_);
  auto it = procs_.find(id);
  if (it == procs_.end()) throw Error("FakeProcesses::ignore_sigterm: unknown process " + id.str());
  it->second.ignores_term = true;
}

void FakeProcesses::make_unkillable(const ProcessId& id) {
  std::lock_guard lock(mu_);
  auto it = procs_.find(id);
  if (it == procs_.end())
    throw Error("FakeProcesses::make_unkillable: unknown process " + id.str());
  it->second.unkillable = true;
}

void FakeProcesses::fail_spawn(int nth, int err, std::string step) {
  std::lock_guard lock(mu_);
  if (nth < 1) throw Error("FakeProcesses::fail_spawn: nth counts from 1");
  failures_[spawn_calls_ + nth] = {err, std::move(step)};
}

}  // namespace netlab::testing
