// report.html in a real browser: `netlab run` of the small lab
// (tests/data/lab/small.toml, two trials), then Debian's chromium, headless,
// opens the page from a file:// URL. From the DOM it rendered (--dump-dom):
// every scenario and trial has its timeline, the number of event marks of
// each trial is the number of its events in report.json, and every outage
// bar is as long as report.json's outage. A PNG screenshot of the page is
// kept under the build tree (test-artifacts/) for a person to look at.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>

#include "netlab/process/command.h"
#include "privileged/cli/lifecycle_fixture.h"
#include "support/xml.h"

namespace netlab::cli::testing {
namespace {

using nlohmann::json;
using netlab::testing::attr;
using netlab::testing::has_class;
using netlab::testing::parse_html;

constexpr const char* kChromium = "/usr/bin/chromium";

// Chromium as root, headless, talking to nobody, with a profile of its own.
std::vector<std::string> chromium(const std::string& profile, std::vector<std::string> args) {
  std::vector<std::string> argv{kChromium,
                                "--headless",
                                "--no-sandbox",
                                "--disable-gpu",
                                "--disable-quic",
                                "--no-first-run",
                                "--disable-background-networking",
                                "--disable-component-update",
                                "--disable-sync",
                                "--user-data-dir=" + profile};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

class ReportBrowserTest : public LifecycleTest {};

TEST_F(ReportBrowserTest, ReportHtmlRendersEveryTrialAsReportJsonSays) {
  if (!fs::exists(kChromium)) GTEST_SKIP() << "chromium is not installed (scripts/setup installs it)";
  const std::string lab = lab_name('h');
  const std::string file = topology(lab);
  const std::string out = tmp_ + "/out";
  Result run = netlab({"run", file, "--trials", "2", "--jobs", "1", "--out", out}, seconds(240));
  if (run.status != 0 && known_flake(run.err)) run = netlab({"run", file, "--trials", "2", "--jobs", "1", "--out", out}, seconds(240));
  ASSERT_TRUE(run.status == 0 || run.status == 1) << run.out << run.err;  // 1: a target missed
  ASSERT_TRUE(fs::exists(out + "/report.html")) << run.err;
  EXPECT_TRUE(fs::exists(out + "/topology.svg"));
  EXPECT_TRUE(fs::exists(out + "/core-cut.timeline.svg"));
  const json report = json::parse(read_text(out + "/report.json"));

  const std::string url = "file://" + fs::absolute(out + "/report.html").string();
  auto dump = process::run_command(chromium(tmp_ + "/profile-dom", {"--dump-dom", url}), seconds(120));
  ASSERT_EQ(dump.exit_code, 0) << dump.err;
  auto dom = parse_html(dump.out);
  ASSERT_TRUE(dom) << dump.out.substr(0, 2000);

  size_t timelines = 0;
  for (const auto& s : report["scenarios"]) {
    const std::string name = s["name"];
    auto section = dom.all("//section[@data-scenario='" + name + "']");
    ASSERT_EQ(section.size(), 1u) << name;
    for (const auto& t : s["trials"]) {
      const int trial = t["trial"];
      auto svgs = dom.all(".//svg[" + has_class("timeline") + " and @data-trial='" + std::to_string(trial) + "']",
                          section[0]);
      ASSERT_EQ(svgs.size(), 1u) << name << " trial " << trial << " has no timeline";
      ++timelines;
      EXPECT_EQ(dom.all(".//*[" + has_class("mark") + "]", svgs[0]).size(), t["events"].size())
          << name << " trial " << trial;
      const double px = std::stod(attr(svgs[0], "data-px-per-ms"));
      for (auto [dir, key] : {std::pair{"fwd", "forward"}, std::pair{"rev", "reverse"}}) {
        auto bars = dom.all(".//rect[" + has_class("bar") + " and " + has_class("outage") + " and " + has_class(dir) +
                                " and not(" + has_class("flow") + ")]",
                            svgs[0]);
        ASSERT_EQ(bars.size(), 1u) << name << " trial " << trial << " " << dir;
        const double want = t["outage"][key]["outage_ms"];
        EXPECT_NEAR(std::stod(attr(bars[0], "width")) / px, want, 0.01 + want * 1e-6)
            << name << " trial " << trial << " " << dir;
        if (want > 0) {
          const double x_fault = std::stod(attr(svgs[0], "data-x-at-fault"));
          const double start = t["outage"][key]["start_ms"];
          EXPECT_NEAR(std::stod(attr(bars[0], "x")), x_fault + px * start, 0.1) << name << " " << dir;
        }
      }
    }
  }
  EXPECT_EQ(timelines, 2u);

  // The screenshot, kept as the test's artifact.
  const std::string shots = std::string(NETLAB_BUILD_DIR) + "/test-artifacts";
  fs::create_directories(shots);
  const std::string png = shots + "/report-html.png";
  fs::remove(png);
  auto shot = process::run_command(
      chromium(tmp_ + "/profile-shot", {"--hide-scrollbars", "--window-size=1280,2400", "--screenshot=" + png, url}),
      seconds(120));
  EXPECT_EQ(shot.exit_code, 0) << shot.err;
  std::string head = read_text(png).substr(0, 8);
  EXPECT_EQ(head, std::string("\x89PNG\r\n\x1a\n", 8)) << png;
  std::fprintf(stderr, "screenshot: %s\n", png.c_str());
}

}  // namespace
}  // namespace netlab::cli::testing
