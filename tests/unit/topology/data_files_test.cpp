// Every file in tests/data/topology/ is a malformed topology whose first line
// states the diagnostic it must produce:
//   # expect: LINE:COL: error: SUBSTRING OF THE MESSAGE
// Every file in tests/data/topology/valid/ must load and validate cleanly.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "netlab/topology/loader.h"
#include "netlab/topology/validate.h"

namespace netlab::topology {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> toml_files(const fs::path& dir) {
  std::vector<std::string> out;
  for (auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file() && e.path().extension() == ".toml") out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::string first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

std::string test_name(const testing::TestParamInfo<std::string>& info) {
  std::string name = fs::path(info.param).stem().string();
  for (char& c : name)
    if (!isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

const fs::path kData = fs::path(NETLAB_TEST_DATA) / "topology";

class MalformedFile : public testing::TestWithParam<std::string> {};

TEST_P(MalformedFile, ReportsTheExpectedErrorAtTheExpectedPlace) {
  const std::string& path = GetParam();
  static const std::regex expect_re(R"(^# expect: (\d+):(\d+): (error|warning): (.+)$)");
  std::smatch m;
  std::string line = first_line(path);
  ASSERT_TRUE(std::regex_match(line, m, expect_re)) << path << ": bad expect line: " << line;
  const uint32_t want_line = std::stoul(m[1]), want_col = std::stoul(m[2]);
  const Severity want_sev = m[3] == "error" ? Severity::Error : Severity::Warning;
  const std::string want_text = m[4];

  LoadResult r = load_and_validate(path);
  EXPECT_TRUE(r.diagnostics.has_errors()) << path << " loaded without errors";
  EXPECT_FALSE(r.ok());
  bool found = false;
  for (const Diagnostic& d : r.diagnostics.items())
    found |= d.where.line == want_line && d.where.column == want_col && d.severity == want_sev &&
             d.message.find(want_text) != std::string::npos;
  EXPECT_TRUE(found) << "expected " << want_line << ":" << want_col << ": " << want_text
                     << "\ngot:\n"
                     << r.render();
  // Every diagnostic renders with its source line and a caret.
  std::string text = r.render();
  EXPECT_NE(
      text.find(path + ":" + std::to_string(want_line) + ":" + std::to_string(want_col) + ":"),
      std::string::npos);
  EXPECT_NE(text.find('^'), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Topology, MalformedFile, testing::ValuesIn(toml_files(kData)), test_name);

TEST(MalformedFiles, ThereAreAtLeastFortyFive) { EXPECT_GE(toml_files(kData).size(), 45u); }

class ValidFile : public testing::TestWithParam<std::string> {};

TEST_P(ValidFile, LoadsAndValidatesWithoutAnyDiagnostic) {
  LoadResult r = load_and_validate(GetParam());
  ASSERT_TRUE(r.topology);
  EXPECT_TRUE(r.diagnostics.items().empty()) << r.render();
  EXPECT_TRUE(r.ok());
}

INSTANTIATE_TEST_SUITE_P(Topology, ValidFile, testing::ValuesIn(toml_files(kData / "valid")),
                         test_name);

// The first example of docs/topology.md is kept verbatim in valid/, so the
// documentation's example always loads and validates.
TEST(SpecExample, IsTheDocumentationsExampleVerbatim) {
  std::ifstream spec_in(fs::path(NETLAB_SOURCE_DIR) / "docs" / "topology.md");
  ASSERT_TRUE(spec_in) << "docs/topology.md is missing";
  std::stringstream spec;
  spec << spec_in.rdbuf();
  std::string s = spec.str();
  auto begin = s.find("```toml\n");
  ASSERT_NE(begin, std::string::npos);
  begin += 8;
  auto end = s.find("```", begin);
  std::ifstream file_in(kData / "valid" / "spec-example.toml");
  std::stringstream file;
  file << file_in.rdbuf();
  EXPECT_EQ(file.str(), s.substr(begin, end - begin));
}

}  // namespace
}  // namespace netlab::topology
