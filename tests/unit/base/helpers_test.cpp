#include "netlab/base/helpers.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "netlab/base/error.h"

namespace netlab {
namespace {

namespace fs = std::filesystem;

class HelpersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/netlab-helpers-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    ::unsetenv("NETLAB_LIBEXEC_DIR");
    fs::remove_all(dir_);
  }
  void make(const std::string& name, mode_t mode) {
    std::ofstream(dir_ / name) << "#!/bin/sh\n";
    ::chmod((dir_ / name).c_str(), mode);
  }
  fs::path dir_;
};

TEST_F(HelpersTest, LibexecDirComesFirst) {
  make("netlab-probe", 0755);
  ::setenv("NETLAB_LIBEXEC_DIR", dir_.c_str(), 1);
  EXPECT_EQ(helper_dirs().front(), dir_.string());
  EXPECT_EQ(find_helper("netlab-probe"), (dir_ / "netlab-probe").string());
}

TEST_F(HelpersTest, ANonExecutableFileIsNotAHelper) {
  make("netlab-nothing-here", 0644);
  ::setenv("NETLAB_LIBEXEC_DIR", dir_.c_str(), 1);
  EXPECT_EQ(find_helper("netlab-nothing-here"), std::nullopt);
}

TEST_F(HelpersTest, RequireNamesEveryPlaceLookedAt) {
  ::setenv("NETLAB_LIBEXEC_DIR", dir_.c_str(), 1);
  try {
    require_helper("netlab-nothing-here");
    FAIL() << "no error";
  } catch (const EnvironmentError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("netlab-nothing-here is not installed"), std::string::npos) << what;
    for (const auto& d : helper_dirs()) EXPECT_NE(what.find(d), std::string::npos) << d;
  }
}

TEST(Helpers, BesideTheExecutableTheInstalledLayoutAndTheBuildTree) {
  // This test binary lives in the build tree: its own directory, the
  // installed layout beside it and the build tree's top are searched.
  fs::path exe = fs::read_symlink("/proc/self/exe");
  auto dirs = helper_dirs();
  ASSERT_EQ(dirs.size(), 3u);
  EXPECT_EQ(dirs[0], exe.parent_path().string());
  EXPECT_EQ(dirs[1], (exe.parent_path().parent_path() / "lib" / "netlab").string());
  EXPECT_EQ(dirs[2], NETLAB_BUILD_DIR);
  auto probe = find_helper("netlab-probe");
  ASSERT_TRUE(probe.has_value()) << "netlab-probe is built before unit_base";
  EXPECT_EQ(*probe, std::string(NETLAB_BUILD_DIR) + "/netlab-probe");
}

}  // namespace
}  // namespace netlab
