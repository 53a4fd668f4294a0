// The fork/exec half of Processes::spawn (see processes.h for the contract).
//
// Everything that can fail in netlab's own process (the namespace, the log
// file, the program lookup) is done before fork, so those errors come
// straight from the caller's thread. The child only makes system calls that
// are async-signal-safe (netlab may have other threads), and reports a
// failed step back through a close-on-exec pipe as {step, errno}.
// Two phases, when `while_held` is given: the child is forked and then held
// right before execve, blocked reading a "go" byte from a socket whose other
// end only netlab holds. The parent runs while_held(pid) (the lab journals
// the pid and start time there) and only then says go. If netlab dies first,
// the child reads EOF and exits without executing anything; if while_held
// throws, the child is killed and reaped. So no program ever runs whose
// identity was not recorded first.
//
// Errors: KernelError naming the step. Threads: any; each call is independent.
#pragma once

#include <sys/types.h>

#include <functional>

#include "netlab/process/processes.h"

namespace netlab::process {

// Forks and executes `spec`. Returns the pid once execve succeeded; the
// caller owns the child (it must reap it). On failure the child is already
// reaped and KernelError is thrown. With `while_held`, the child does not
// execute before while_held(pid) has returned (see above).
pid_t spawn_process(const ProcessSpec& spec, const std::function<void(pid_t)>& while_held = {});

// The environment the child gets: `env` plus PATH when absent, as KEY=VALUE.
std::vector<std::string> spawn_environment(const std::map<std::string, std::string>& env);

}  // namespace netlab::process
