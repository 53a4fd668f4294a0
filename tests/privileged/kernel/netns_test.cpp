// Named namespaces and the thread guard, on the real kernel.
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <future>
#include <sstream>
#include <thread>

#include "kernel_fixture.h"

namespace netlab::kernel::testing {
namespace {

NetnsId own_thread_ns() {
  UniqueFd fd(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
  return netns_id_of(fd.get());
}

using NetnsTest = KernelTest;

TEST_F(NetnsTest, CreateMountsANewNamespaceWithLoUpAndLeavesTheCallerWhereItWas) {
  NetnsId before = own_thread_ns();
  std::string a = make_ns("a");
  EXPECT_EQ(own_thread_ns(), before);

  auto id = nl_->netns_id(a);
  ASSERT_TRUE(id);
  EXPECT_NE(*id, before);
  UniqueFd fd = netns_open(a);
  EXPECT_EQ(netns_id_of(fd.get()), *id);
  auto names = nl_->netns_list();
  EXPECT_NE(std::find(names.begin(), names.end(), a), names.end());

  auto lo = nl_->link_get(a, "lo");
  ASSERT_TRUE(lo);
  EXPECT_TRUE(lo->admin_up);
  // A fresh namespace has lo and nothing else.
  EXPECT_EQ(nl_->link_list(a).size(), 1u);
}

TEST_F(NetnsTest, RunNetnsIsASharedMountPoint) {
  make_ns("a");
  std::ifstream mi("/proc/self/mountinfo");
  std::string line;
  bool found = false;
  while (std::getline(mi, line)) {
    // "36 25 0:32 /netns /run/netns rw,... shared:5 - tmpfs ..."
    std::istringstream ss(line);
    std::string id, parent, devno, root, mountpoint;
    ss >> id >> parent >> devno >> root >> mountpoint;
    if (mountpoint != kNetnsRunDir) continue;
    found = true;
    EXPECT_NE(line.find("shared:"), std::string::npos) << line;
  }
  EXPECT_TRUE(found);
}

TEST_F(NetnsTest, CreatingAnExistingNameFailsWithEexistAndKeepsTheOriginal) {
  std::string a = make_ns("a");
  NetnsId id = *nl_->netns_id(a);
  nl_->veth_create(VethPair{a, "eth1", a, "eth2", 1500});
  try {
    nl_->netns_create(a);
    FAIL() << "expected EEXIST";
  } catch (const KernelError& e) {
    EXPECT_EQ(e.err(), EEXIST);
  }
  EXPECT_EQ(*nl_->netns_id(a), id);
  EXPECT_TRUE(nl_->link_get(a, "eth1"));  // same namespace, contents intact
}

TEST_F(NetnsTest, DeleteRemovesTheNameAndTheNamespaceDies) {
  std::string a = make_ns("a");
  std::string b = make_ns("b");
  nl_->veth_create(VethPair{a, "eth1", b, "eth1", 1500});
  nl_->netns_delete(a);
  EXPECT_FALSE(nl_->netns_id(a));
  struct stat st {};
  EXPECT_NE(::stat(netns_path(a).c_str(), &st), 0);
  // When a's namespace really dies (nothing of ours pins it), its veth end
  // is destroyed and takes the peer in b with it.
  EXPECT_TRUE(
      wait_until([&] { return !nl_->link_get(b, "eth1"); }, std::chrono::milliseconds(10000)))
      << "namespace " << a << " was kept alive";

  try {
    nl_->netns_delete(a);
    FAIL() << "expected ENOENT";
  } catch (const KernelError& e) {
    EXPECT_EQ(e.err(), ENOENT);
  }
}

TEST_F(NetnsTest, OperationsOnAMissingNamespaceFailWithEnoent) {
  std::string missing = test_prefix() + "missing";
  try {
    nl_->link_list(missing);
    FAIL();
  } catch (const KernelError& e) {
    EXPECT_EQ(e.err(), ENOENT);
  }
  EXPECT_FALSE(nl_->netns_id(missing));
  EXPECT_FALSE(nl_->netns_id(""));  // netlab's own namespace has no /run/netns entry
}

TEST_F(NetnsTest, ANameRecreatedBehindOurBackGetsAFreshSocket) {
  std::string a = make_ns("a");
  nl_->veth_create(VethPair{a, "eth1", a, "eth2", 1500});
  // Another Netlink deletes and recreates the name: ours must not keep
  // talking to the old namespace through its cached socket.
  auto other = make_netlink();
  other->netns_delete(a);
  other->netns_create(a);
  EXPECT_FALSE(nl_->link_get(a, "eth1"));
  EXPECT_EQ(nl_->link_list(a).size(), 1u);
}

TEST_F(NetnsTest, GuardEntersAndLeavesOnlyTheCallingThread) {
  std::string a = make_ns("a");
  NetnsId home = own_thread_ns();
  UniqueFd fd = netns_open(a);
  // A thread that already exists stays where it is while this one moves.
  // (A thread started inside the guard would inherit the namespace.)
  std::promise<void> entered;
  std::promise<NetnsId> seen;
  std::thread other([&] {
    entered.get_future().wait();
    seen.set_value(own_thread_ns());
  });
  {
    NetnsGuard guard(fd.get(), a);
    EXPECT_EQ(own_thread_ns(), *nl_->netns_id(a));
    entered.set_value();
    EXPECT_EQ(seen.get_future().get(), home);
  }
  other.join();
  EXPECT_EQ(own_thread_ns(), home);
  {
    NetnsGuard guard(fd.get(), a);
    guard.leave();
    EXPECT_EQ(own_thread_ns(), home);
  }
}

TEST_F(NetnsTest, AnonymousNamespaceIsThrowaway) {
  auto names_before = netns_names();
  NetnsId home = own_thread_ns();
  NetnsId inside = in_anonymous_netns([] { return own_thread_ns(); });
  EXPECT_NE(inside, home);
  EXPECT_EQ(own_thread_ns(), home);
  EXPECT_EQ(netns_names(), names_before);
  EXPECT_THROW(in_anonymous_netns([]() -> int { throw Error("boom"); }), Error);
}

TEST_F(NetnsTest, InvalidNamesAreRefused) {
  for (std::string bad : {"", ".", "..", "a/b"}) {
    try {
      nl_->netns_create(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const KernelError& e) {
      EXPECT_EQ(e.err(), EINVAL) << bad;
    }
  }
}

}  // namespace
}  // namespace netlab::kernel::testing
