#include "netlab/topology/diagnostics.h"

#include <gtest/gtest.h>

namespace netlab::topology {
namespace {

constexpr std::string_view kSource =
    "[[links]]\n"
    "name = \"dx1\"\n"
    "endpoints = [\"cgw2\", \"dx-ny5\"]\n";

TEST(Render, CompilerStyleWithCaretUnderTheValueAndHint) {
  Diagnostic d{Severity::Error,
               {3, 14, 3, 20},
               "link \"dx1\" names node \"cgw2\", which is not defined",
               "did you mean \"cgw\"?"};
  EXPECT_EQ(render(d, "topologies/bad.toml", kSource),
            "topologies/bad.toml:3:14: error: link \"dx1\" names node \"cgw2\", which is not "
            "defined\n"
            "    3 | endpoints = [\"cgw2\", \"dx-ny5\"]\n"
            "      |              ^~~~~~ did you mean \"cgw\"?\n");
}

TEST(Render, TheSpecsExampleAtLine41) {
  std::string source(40, '\n');
  source += "endpoints = [\"cgw2\", \"dx-ny5\"]\n";
  Diagnostic d{Severity::Error,
               {41, 14, 41, 20},
               "link \"dx1\" names node \"cgw2\", which is not defined",
               "did you mean \"cgw\"?"};
  EXPECT_EQ(render(d, "topologies/bad.toml", source),
            "topologies/bad.toml:41:14: error: link \"dx1\" names node \"cgw2\", which is not "
            "defined\n"
            "   41 | endpoints = [\"cgw2\", \"dx-ny5\"]\n"
            "      |              ^~~~~~ did you mean \"cgw\"?\n");
}

TEST(Render, WarningWithoutHintHasNoTrailingSpace) {
  Diagnostic d{Severity::Warning, {2, 8, 2, 13}, "something odd", ""};
  EXPECT_EQ(render(d, "f.toml", kSource),
            "f.toml:2:8: warning: something odd\n"
            "    2 | name = \"dx1\"\n"
            "      |        ^~~~~\n");
}

TEST(Render, ValueSpanningLinesIsUnderlinedToTheEndOfItsFirstLine) {
  std::string_view source = "a = [\n  1,\n]\n";
  Diagnostic d{Severity::Error, {1, 5, 3, 2}, "bad array", ""};
  EXPECT_EQ(render(d, "f.toml", source),
            "f.toml:1:5: error: bad array\n"
            "    1 | a = [\n"
            "      |     ^\n");
  std::string_view source2 = "a = [ 1,\n  2 ]\n";
  Diagnostic d2{Severity::Error, {1, 5, 2, 6}, "bad array", ""};
  EXPECT_EQ(render(d2, "f.toml", source2),
            "f.toml:1:5: error: bad array\n"
            "    1 | a = [ 1,\n"
            "      |     ^~~~\n");
}

TEST(Render, UnknownEndIsOneCaret) {
  Diagnostic d{Severity::Error, {2, 1, 0, 0}, "m", ""};
  EXPECT_EQ(render(d, "f.toml", kSource),
            "f.toml:2:1: error: m\n"
            "    2 | name = \"dx1\"\n"
            "      | ^\n");
}

TEST(Render, TabsAreCopiedAndColumnsCountCodePoints) {
  // toml++ counts columns in code points: "é" is one column.
  std::string_view source = "\tx = \"é\" # y\n";
  Diagnostic d{Severity::Error, {1, 10, 1, 11}, "m", ""};
  EXPECT_EQ(render(d, "f.toml", source),
            "f.toml:1:10: error: m\n"
            "    1 | \tx = \"é\" # y\n"
            "      | \t        ^\n");
}

TEST(Render, CarriageReturnsAreNotPrinted) {
  Diagnostic d{Severity::Error, {1, 1, 1, 2}, "m", ""};
  EXPECT_EQ(render(d, "f.toml", "a = 1\r\nb = 2\r\n"),
            "f.toml:1:1: error: m\n"
            "    1 | a = 1\n"
            "      | ^\n");
}

TEST(Render, WithoutAPositionOnlyTheHeaderAndANote) {
  Diagnostic d{Severity::Error, {}, "cannot read f.toml: No such file or directory", "hint"};
  EXPECT_EQ(render(d, "f.toml", ""),
            "f.toml: error: cannot read f.toml: No such file or directory\n  note: hint\n");
}

TEST(Render, PositionPastTheEndOfTheSourcePrintsNoLine) {
  Diagnostic d{Severity::Error, {9, 1, 9, 2}, "m", ""};
  EXPECT_EQ(render(d, "f.toml", kSource), "f.toml:9:1: error: m\n");
}

TEST(Render, WideLineNumbersWidenTheGutter) {
  std::string source(123455, '\n');
  source += "x = 1\n";
  Diagnostic d{Severity::Error, {123456, 1, 123456, 2}, "m", ""};
  EXPECT_EQ(render(d, "f.toml", source),
            "f.toml:123456:1: error: m\n"
            "123456 | x = 1\n"
            "       | ^\n");
}

TEST(Render, ColourWrapsTheHeaderSeverityAndCaret) {
  Diagnostic d{Severity::Error, {2, 8, 2, 13}, "m", "h"};
  std::string out = render(d, "f.toml", kSource, true);
  EXPECT_EQ(out,
            "\x1b[1mf.toml:2:8:\x1b[0m \x1b[1;31merror:\x1b[0m \x1b[1mm\x1b[0m\n"
            "    2 | name = \"dx1\"\n"
            "      |        \x1b[1;32m^~~~~\x1b[0m h\n");
  Diagnostic w{Severity::Warning, {2, 8, 2, 13}, "m", ""};
  EXPECT_NE(render(w, "f.toml", kSource, true).find("\x1b[1;35mwarning:"), std::string::npos);
  EXPECT_EQ(render(w, "f.toml", kSource, false).find('\x1b'), std::string::npos);
}

TEST(Diagnostics, CountsSortsAndRendersEveryItem) {
  Diagnostics ds;
  ds.warning({3, 1, 3, 2}, "third");
  ds.error({}, "no position");
  ds.error({1, 5, 1, 6}, "first");
  ds.error({3, 1, 3, 2}, "third, second of its place");
  EXPECT_TRUE(ds.has_errors());
  EXPECT_EQ(ds.error_count(), 3u);
  EXPECT_EQ(ds.warning_count(), 1u);
  ds.sort();
  ASSERT_EQ(ds.items().size(), 4u);
  EXPECT_EQ(ds.items()[0].message, "first");
  EXPECT_EQ(ds.items()[1].message, "third");  // stable among equal positions
  EXPECT_EQ(ds.items()[2].message, "third, second of its place");
  EXPECT_EQ(ds.items()[3].message, "no position");
  std::string all = ds.render("f.toml", kSource);
  EXPECT_NE(all.find("f.toml:1:5: error: first\n"), std::string::npos);
  EXPECT_NE(all.find("f.toml:3:1: warning: third\n"), std::string::npos);
  EXPECT_NE(all.find("f.toml: error: no position\n"), std::string::npos);

  Diagnostics only_warnings;
  only_warnings.warning({1, 1, 1, 2}, "w");
  EXPECT_FALSE(only_warnings.has_errors());
}

TEST(Closest, FindsTyposByEditDistance) {
  std::vector<std::string> nodes = {"server", "cgw", "dx-ny5", "vgw", "app"};
  EXPECT_EQ(closest("cgw2", nodes), "cgw");
  EXPECT_EQ(closest("sever", nodes), "server");
  EXPECT_EQ(closest("dx-ny6", nodes), "dx-ny5");
  EXPECT_EQ(closest("CGW", nodes), "cgw");  // case is a cheap mistake
  // Transpositions count as one edit (Damerau).
  EXPECT_EQ(closest("endpionts", {"name", "endpoints", "kind"}), "endpoints");
  EXPECT_EQ(closest("custmoer", {"host", "customer", "router"}), "customer");
}

TEST(Closest, RefusesGuessesThatAreNotCloseEnough) {
  std::vector<std::string> nodes = {"server", "cgw", "vgw"};
  EXPECT_EQ(closest("internet", nodes), "");
  EXPECT_EQ(closest("xyz", nodes), "");
  EXPECT_EQ(closest("", nodes), "");
  EXPECT_EQ(closest("a", {"b"}), "");  // a one-letter name is not a typo of another
  EXPECT_EQ(closest("cgw", {}), "");
  EXPECT_EQ(closest(std::string(100, 'a'), {std::string(100, 'a')}), "");  // bounded work
}

TEST(Closest, PrefersTheNearestAndThenTheFirst) {
  EXPECT_EQ(closest("vpn1-t3", {"vpn2-t1", "vpn1-t1"}), "vpn1-t1");  // 1 edit beats 2
  EXPECT_EQ(closest("dx3", {"dx1", "dx2"}), "dx1");                  // a tie: file order
}

}  // namespace
}  // namespace netlab::topology
