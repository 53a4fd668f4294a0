// The VICI codec: the encoding example of strongSwan's vici README byte for
// byte, round trips of every element kind, packets of every type, and
// malformed input refused rather than misread.
#include "netlab/tunnel/vici.h"

#include <gtest/gtest.h>

#include "netlab/base/error.h"

namespace netlab::tunnel {
namespace {

std::string bytes(std::initializer_list<int> b) {
  std::string s;
  for (int c : b) s += static_cast<char>(c);
  return s;
}

std::string text(const std::string& s) { return s; }

TEST(ViciMessage, EncodesTheReadmeExampleExactly) {
  ViciMessage m;
  m.set("key1", "value1");
  m.section("section1", [](ViciMessage& s) {
    s.section("sub-section", [](ViciMessage& ss) { ss.set("key2", "value2"); });
    s.list("list1", {"item1", "item2"});
  });
  std::string want = bytes({3, 4}) + "key1" + bytes({0, 6}) + "value1" + bytes({1, 8}) +
                     "section1" + bytes({1, 11}) + "sub-section" + bytes({3, 4}) + "key2" +
                     bytes({0, 6}) + "value2" + bytes({2}) + bytes({4, 5}) + "list1" +
                     bytes({5, 0, 5}) + "item1" + bytes({5, 0, 5}) + "item2" + bytes({6}) +
                     bytes({2});
  EXPECT_EQ(encode_vici_message(m), want);
  EXPECT_EQ(decode_vici_message(want), m);
}

TEST(ViciMessage, RoundTripKeepsOrderEmptyListsAndBinaryValues) {
  ViciMessage m;
  std::string binary = bytes({0, 1, 2, 255, 0, 10});
  m.set("data", binary);
  m.list("empty", {});
  m.section("conn", [](ViciMessage& c) {
    c.list("proposals", {"b", "a"});
    c.section("children",
              [](ViciMessage& ch) { ch.section("t", [](ViciMessage& t) { t.set("x", ""); }); });
    c.set("z", "1");
  });
  ViciMessage back = decode_vici_message(encode_vici_message(m));
  EXPECT_EQ(back, m);
  EXPECT_EQ(*back.value("data"), binary);
  EXPECT_EQ(*back.path("conn.z"), "1");
  EXPECT_EQ(*back.path("conn.children.t.x"), "");
  EXPECT_EQ(back.find_section("conn")->list_items("proposals")->front(), "b");
  EXPECT_EQ(back.path("conn.nope"), nullptr);
}

TEST(ViciMessage, StrReadsLikeSwanctlConf) {
  ViciMessage m;
  m.set("a", "1").list("l", {"x", "y"}).section("s", [](ViciMessage& s) { s.set("b", "2"); });
  EXPECT_EQ(m.str(), "a = 1\nl = [ x, y ]\ns {\n  b = 2\n}\n");
}

TEST(ViciMessage, RefusesMalformedInput) {
  EXPECT_THROW(decode_vici_message(bytes({3, 4}) + "ke"), Error);  // truncated name
  EXPECT_THROW(decode_vici_message(bytes({3, 1}) + "k" + bytes({0, 9}) + "v"),
               Error);                                            // short value
  EXPECT_THROW(decode_vici_message(bytes({1, 1}) + "s"), Error);  // section never closed
  EXPECT_THROW(decode_vici_message(bytes({2})), Error);           // end without start
  EXPECT_THROW(decode_vici_message(bytes({4, 1}) + "l" + bytes({3})),
               Error);                                   // key/value inside a list
  EXPECT_THROW(decode_vici_message(bytes({9})), Error);  // unknown element
}

TEST(ViciMessage, RefusesWhatCannotBeEncoded) {
  ViciMessage m;
  m.set(std::string(256, 'k'), "v");
  EXPECT_THROW(encode_vici_message(m), Error);
  ViciMessage big;
  big.set("k", std::string(70000, 'v'));
  EXPECT_THROW(encode_vici_message(big), Error);
}

TEST(ViciPacket, NamedAndUnnamedTypesRoundTripWithTheirLengthPrefix) {
  ViciMessage args;
  args.set("child", "vpn1-t1");
  for (auto type :
       {ViciPacketType::CmdRequest, ViciPacketType::EventRegister, ViciPacketType::Event}) {
    ViciPacket p{type, "initiate", args};
    std::string wire = encode_vici_packet(p);
    uint32_t len = (uint32_t(uint8_t(wire[0])) << 24) | (uint32_t(uint8_t(wire[1])) << 16) |
                   (uint32_t(uint8_t(wire[2])) << 8) | uint8_t(wire[3]);
    EXPECT_EQ(len, wire.size() - 4);
    EXPECT_EQ(uint8_t(wire[4]), static_cast<uint8_t>(type));
    EXPECT_EQ(uint8_t(wire[5]), 8);  // name length
    EXPECT_EQ(decode_vici_packet(std::string_view(wire).substr(4)), p);
  }
  // A response has no name: the message follows the type byte.
  ViciPacket r{ViciPacketType::CmdResponse, "", args};
  std::string wire = encode_vici_packet(r);
  EXPECT_EQ(wire.substr(5), encode_vici_message(args));
  EXPECT_EQ(decode_vici_packet(std::string_view(wire).substr(4)), r);
  EXPECT_THROW(decode_vici_packet(bytes({8})), Error);
  EXPECT_THROW(decode_vici_packet(""), Error);
}

TEST(ViciSuccess, NamesCharonsErrorMessage) {
  ViciMessage ok;
  ok.set("success", "yes");
  EXPECT_NO_THROW(vici_check_success(ok, "load-conn"));
  ViciMessage bad;
  bad.set("success", "no").set("errmsg", "unknown option 'foo'");
  try {
    vici_check_success(bad, "tunnel t at n: load-conn");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(text(e.what()), "tunnel t at n: load-conn: unknown option 'foo'");
  }
  EXPECT_THROW(vici_check_success(ViciMessage{}, "x"), Error);
}

}  // namespace
}  // namespace netlab::tunnel
