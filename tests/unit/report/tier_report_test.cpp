// scripts/tier-report: the counts scripts/test prints per tier, read from
// ctest's JUnit output. A skipped test is counted as skipped with its
// reason, never as passed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "netlab/process/command.h"

namespace netlab::report {
namespace {

namespace fs = std::filesystem;

// What ctest --output-junit writes: a passed, a failed and two skipped tests
// (GoogleTest prints the reason after "Skipped").
constexpr const char* kJunit = R"(<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="Linux" tests="4" failures="1" disabled="0" skipped="2" hostname="" time="1" timestamp="">
  <testcase name="A.Passes" classname="A.Passes" time="0.1" status="run">
    <system-out>[ RUN      ] A.Passes
[       OK ] A.Passes (0 ms)</system-out>
  </testcase>
  <testcase name="A.Fails" classname="A.Fails" time="0.1" status="fail">
    <failure message="Failed"/>
    <system-out>boom</system-out>
  </testcase>
  <testcase name="Lab.NeedsRoot" classname="Lab.NeedsRoot" time="0.1" status="notrun">
    <skipped message="SKIP_REGULAR_EXPRESSION_MATCHED"/>
    <system-out>[ RUN      ] Lab.NeedsRoot
../tests/privileged/lab/x.cpp:12: Skipped
needs root (namespaces, links, FRR)

[  SKIPPED ] Lab.NeedsRoot (0 ms)</system-out>
  </testcase>
  <testcase name="Lab.AlsoNeedsRoot" classname="Lab.AlsoNeedsRoot" time="0.1" status="notrun">
    <skipped message="SKIP_REGULAR_EXPRESSION_MATCHED"/>
    <system-out>[ RUN      ] Lab.AlsoNeedsRoot
../tests/privileged/lab/y.cpp:40: Skipped
needs root (namespaces, links, FRR)

[  SKIPPED ] Lab.AlsoNeedsRoot (0 ms)</system-out>
  </testcase>
</testsuite>
)";

process::CommandResult tier_report(const std::vector<std::string>& args) {
  std::vector<std::string> argv{"/usr/bin/python3", std::string(NETLAB_SOURCE_DIR) + "/scripts/tier-report"};
  argv.insert(argv.end(), args.begin(), args.end());
  return process::run_command(argv);
}

TEST(TierReport, CountsSkippedTestsWithTheirReasonNeverAsPassed) {
  std::string f = (fs::temp_directory_path() / ("netlab-tier-" + std::to_string(::getpid()) + ".xml")).string();
  std::ofstream(f) << kJunit;
  auto r = tier_report({"privileged", f});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("privileged: 2 ran, 1 passed, 1 failed, 2 skipped\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  skipped 2: needs root (namespaces, links, FRR)"), std::string::npos) << r.out;
  auto line = tier_report({"privileged", f, "--line"});
  EXPECT_EQ(line.out, "privileged: 2 ran, 1 passed, 1 failed, 2 skipped (2: needs root (namespaces, links, FRR))\n");
  fs::remove(f);
  EXPECT_EQ(tier_report({"fuzz", f, "--line"}).out, "fuzz: did not run\n");
}

}  // namespace
}  // namespace netlab::report
