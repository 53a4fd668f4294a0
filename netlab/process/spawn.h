// The fork/exec half of Processes::spawn (see processes.h for the contract).
//
// Everything that can fail in netlab's own process (the namespace, the log
// file, the program lookup) is done before fork, so those errors come
// straight from the caller's thread. The child only makes system calls that
// are async-signal-safe (netlab may have other threads), and reports a
// failed step back through a close-on-exec pipe as {step, errno}.
// Errors: KernelError naming the step. Threads: any; each call is independent.
#pragma once

#include <sys/types.h>

#include "netlab/process/processes.h"

namespace netlab::process {

// Forks and executes `spec`. Returns the pid once execve succeeded; the
// caller owns the child (it must reap it). On failure the child is already
// reaped and KernelError is thrown.
pid_t spawn_process(const ProcessSpec& spec);

// The environment the child gets: `env` plus PATH when absent, as KEY=VALUE.
std::vector<std::string> spawn_environment(const std::map<std::string, std::string>& env);

}  // namespace netlab::process
