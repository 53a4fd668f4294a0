// The subcommands as one table (commands.cpp): a row per command with its
// name, its one-line help and the function that declares its arguments.
// Everything that lists commands (parsing, "did you mean", --help, shell
// completion, man pages) reads the table, so a command is named once.
//
// A row's `define` declares the command's options on its CLI11 sub-app and
// returns what runs the command once the line is parsed; the runner returns
// the process exit code (docs/design.md, "Exit codes").
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace CLI {
class App;
}

namespace netlab::cli {

using Runner = std::function<int()>;

struct Command {
  const char* name;
  const char* help;
  Runner (*define)(CLI::App&);
};

// Every command, in the order `netlab --help` lists them.
const std::vector<Command>& command_table();

// One per command, beside its implementation (cmd_*.cpp).
Runner define_run(CLI::App&);
Runner define_sweep(CLI::App&);
Runner define_up(CLI::App&);
Runner define_down(CLI::App&);
Runner define_ls(CLI::App&);
Runner define_status(CLI::App&);
Runner define_exec(CLI::App&);
Runner define_vtysh(CLI::App&);
Runner define_plan(CLI::App&);
Runner define_graph(CLI::App&);
Runner define_validate(CLI::App&);
Runner define_generate(CLI::App&);
Runner define_import(CLI::App&);
Runner define_doctor(CLI::App&);
Runner define_report(CLI::App&);
Runner define_version(CLI::App&);
Runner define_events(CLI::App&);
Runner define_fault(CLI::App&);
Runner define_repair(CLI::App&);
Runner define_impair(CLI::App&);
Runner define_probe(CLI::App&);
Runner define_completion(CLI::App&);
Runner define_man(CLI::App&);

// The whole command line as CLI11 sees it: the top-level app with a sub-app
// per row of the table. When `runners` is given, it receives each sub-app
// with what runs it.
std::unique_ptr<CLI::App> make_app(std::vector<std::pair<CLI::App*, Runner>>* runners);

// Every exit code netlab returns, with its meaning (the manual page lists them).
const std::vector<std::pair<int, std::string>>& exit_codes();

// Parses argv and runs the chosen command; returns the exit code.
int run_cli(int argc, char** argv);

}  // namespace netlab::cli
