#include <CLI/CLI.hpp>

#include <cstdio>

#include "netlab/base/error.h"
#include "netlab/cli/commands.h"
#include "netlab/topology/diagnostics.h"
#include "netlab/version.h"

namespace netlab::cli {

std::unique_ptr<CLI::App> make_app(std::vector<std::pair<CLI::App*, Runner>>* runners) {
  auto app = std::make_unique<CLI::App>(
      "netlab: emulate an on-premises-to-AWS network, break it, and measure how fast it heals");
  app->require_subcommand(1);
  app->fallthrough(false);
  app->set_version_flag("--version", std::string("netlab ") + NETLAB_VERSION);
  for (const auto& c : command_table()) {
    auto* sub = app->add_subcommand(c.name, c.help);
    Runner run = c.define(*sub);
    if (runners) runners->push_back({sub, std::move(run)});
  }
  return app;
}

int run_cli(int argc, char** argv) {
  std::vector<std::pair<CLI::App*, Runner>> subs;
  auto app_ptr = make_app(&subs);
  CLI::App& app = *app_ptr;
  std::vector<std::string> names;
  for (const auto& c : command_table()) names.push_back(c.name);

  // "did you mean" for a mistyped subcommand, before CLI11 sees it.
  if (argc > 1 && argv[1][0] != '-') {
    std::string first = argv[1];
    if (std::find(names.begin(), names.end(), first) == names.end()) {
      std::string near = topology::closest(first, names);
      std::fprintf(stderr, "netlab: unknown command \"%s\"%s\n", first.c_str(),
                   near.empty() ? "" : ("; did you mean \"" + near + "\"?").c_str());
      return 2;
    }
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }

  try {
    for (auto& [sub, run] : subs)
      if (sub->parsed()) return run();
  } catch (const Error& e) {
    std::fprintf(stderr, "netlab: %s\n", e.what());
    return e.exit_code();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "netlab: internal error: %s\n", e.what());
    return 4;
  }
  return 2;
}

}  // namespace netlab::cli
