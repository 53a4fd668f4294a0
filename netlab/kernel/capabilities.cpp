#include "netlab/kernel/capabilities.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/xfrm.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "netlab/base/error.h"
#include "netlab/kernel/clock.h"
#include "netlab/kernel/netns.h"
#include "netlab/kernel/nft_rules.h"
#include "netlab/kernel/nft.h"
#include "netlab/kernel/rtnl.h"
#include "netlab/kernel/rtnl_codec.h"

namespace netlab::kernel {
namespace {

bool is_root() {
  if (geteuid() == 0) return true;
  // Without uid 0, what netlab needs is CAP_NET_ADMIN (12) and
  // CAP_SYS_ADMIN (21, for setns and mounts) in the effective set.
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("CapEff:", 0) != 0) continue;
    unsigned long long caps = std::stoull(line.substr(7), nullptr, 16);
    return (caps & (1ull << 12)) && (caps & (1ull << 21));
  }
  return false;
}

bool executable(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

// PATH first, then the standard places (netlab may run with a bare PATH
// under sudo or from a service).
std::string find_program(const std::string& name) {
  std::vector<std::string> dirs;
  if (const char* path = std::getenv("PATH")) {
    std::stringstream ss(path);
    std::string d;
    while (std::getline(ss, d, ':')) {
      if (!d.empty()) dirs.push_back(d);
    }
  }
  for (const char* d :
       {"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"}) {
    dirs.push_back(d);
  }
  for (const std::string& d : dirs) {
    std::string p = d + "/" + name;
    if (executable(p)) return p;
  }
  return "";
}

// Runs argv (no shell) with stdout captured, stdin and stderr on /dev/null;
// gives up after timeout_ms (the child is killed by its pid). nullopt when it
// could not run or did not finish.
std::optional<std::string> run_capture(const std::vector<std::string>& argv, int timeout_ms) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0) return std::nullopt;
  UniqueFd rd(p[0]), wr(p[1]);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, wr.get(), 1);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  char env0[] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  char* envp[] = {env0, nullptr};
  pid_t pid = 0;
  int rc = posix_spawn(&pid, args[0], &fa, nullptr, args.data(), envp);
  posix_spawn_file_actions_destroy(&fa);
  wr.reset();
  if (rc != 0) return std::nullopt;
  std::string out;
  bool finished = false;
  const int64_t start_ns = monotonic_ns();
  for (;;) {
    long elapsed = static_cast<long>((monotonic_ns() - start_ns) / 1'000'000);
    if (elapsed >= timeout_ms) break;
    pollfd pfd{rd.get(), POLLIN, 0};
    int n = poll(&pfd, 1, static_cast<int>(timeout_ms - elapsed));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    char buf[4096];
    ssize_t r = read(rd.get(), buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      finished = true;
      break;
    }
    out.append(buf, static_cast<size_t>(r));
  }
  if (!finished) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!finished) return std::nullopt;
  return out;
}

// "zebra version 8.4.4" -> "8.4.4"
std::string parse_frr_version(const std::string& out) {
  auto pos = out.find("version ");
  if (pos == std::string::npos) return "";
  std::string v = out.substr(pos + 8);
  auto end = v.find_first_of(" \n\r\t");
  return v.substr(0, end);
}

template <class F>
bool attempt(F&& f) {
  try {
    f();
    return true;
  } catch (const Error&) {
    return false;  // the feature is missing; why is in the exception, not needed here
  }
}

int ifindex_of(NlSocket& rtnl, const std::string& name) {
  int index = 0;
  MsgBuilder m = encode_link_get(name);
  rtnl.query(m, "link_get", name, [&](const nlmsghdr* nlh) {
    if (auto d = decode_link(nlh, "")) index = d->info.index;
  });
  return index;
}

void create_link_of_kind(NlSocket& rtnl, const std::string& name, const std::string& kind) {
  MsgBuilder m(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
  m.header<ifinfomsg>()->ifi_family = AF_UNSPEC;
  m.put_strz(IFLA_IFNAME, name);
  nlattr* li = m.nest_start(IFLA_LINKINFO);
  m.put_strz(IFLA_INFO_KIND, kind);
  m.nest_end(li);
  rtnl.request(m, "link_create", kind);
}

void add_root_qdisc(NlSocket& rtnl, int ifindex, const std::string& kind) {
  MsgBuilder m(RTM_NEWQDISC, NLM_F_CREATE | NLM_F_REPLACE);
  auto* t = m.header<tcmsg>();
  t->tcm_family = AF_UNSPEC;
  t->tcm_ifindex = ifindex;
  t->tcm_handle = 0x10000;  // 1:
  t->tcm_parent = TC_H_ROOT;
  m.put_strz(TCA_KIND, kind);
  if (kind == "netem") {
    tc_netem_qopt q{};
    q.limit = 1000;
    m.put(TCA_OPTIONS, &q, sizeof q);
  } else if (kind == "htb") {
    nlattr* opts = m.nest_start(TCA_OPTIONS);
    tc_htb_glob g{};
    g.version = 3;  // TC_HTB_PROTOVER
    g.rate2quantum = 10;
    m.put(TCA_HTB_INIT, &g, sizeof g);
    m.nest_end(opts);
  }
  rtnl.request(m, "qdisc_add", kind);
}

// An ESP security association in the throwaway namespace: EPROTONOSUPPORT
// without ESP, ENOSYS without the algorithm. Tries CBC+HMAC, then GCM.
bool xfrm_esp_works() {
  NlSocket x(NETLINK_XFRM);
  for (int variant = 0; variant < 2; ++variant) {
    MsgBuilder m(XFRM_MSG_NEWSA, NLM_F_CREATE | NLM_F_EXCL);
    auto* sa = m.header<xfrm_usersa_info>();
    sa->family = AF_INET;
    sa->sel.family = AF_INET;
    sa->id.proto = IPPROTO_ESP;
    sa->id.spi = htonl(0x4e4c0001 + variant);
    inet_pton(AF_INET, "198.51.100.2", &sa->id.daddr.a4);
    inet_pton(AF_INET, "198.51.100.1", &sa->saddr.a4);
    sa->mode = XFRM_MODE_TUNNEL;
    sa->lft.soft_byte_limit = sa->lft.hard_byte_limit = XFRM_INF;
    sa->lft.soft_packet_limit = sa->lft.hard_packet_limit = XFRM_INF;
    if (variant == 0) {
      std::vector<char> crypt(sizeof(xfrm_algo) + 16, 1);
      auto* c = reinterpret_cast<xfrm_algo*>(crypt.data());
      std::memset(c->alg_name, 0, sizeof c->alg_name);
      std::strcpy(c->alg_name, "cbc(aes)");
      c->alg_key_len = 128;
      m.put(XFRMA_ALG_CRYPT, crypt.data(), crypt.size());
      std::vector<char> auth(sizeof(xfrm_algo_auth) + 32, 2);
      auto* a = reinterpret_cast<xfrm_algo_auth*>(auth.data());
      std::memset(a->alg_name, 0, sizeof a->alg_name);
      std::strcpy(a->alg_name, "hmac(sha256)");
      a->alg_key_len = 256;
      a->alg_trunc_len = 128;
      m.put(XFRMA_ALG_AUTH_TRUNC, auth.data(), auth.size());
    } else {
      std::vector<char> aead(sizeof(xfrm_algo_aead) + 20, 3);
      auto* a = reinterpret_cast<xfrm_algo_aead*>(aead.data());
      std::memset(a->alg_name, 0, sizeof a->alg_name);
      std::strcpy(a->alg_name, "rfc4106(gcm(aes))");
      a->alg_key_len = 160;
      a->alg_icv_len = 128;
      m.put(XFRMA_ALG_AEAD, aead.data(), aead.size());
    }
    if (x.request(m, "xfrm_newsa", "esp",
                  {EPROTONOSUPPORT, ENOSYS, ENOENT, EINVAL, EOPNOTSUPP, EAFNOSUPPORT}) == 0) {
      return true;
    }
  }
  return false;
}

bool tun_works() {
  UniqueFd fd(::open("/dev/net/tun", O_RDWR | O_CLOEXEC));
  if (!fd) return false;
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, "nl-probe-tun", IFNAMSIZ - 1);
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
  return ioctl(fd.get(), TUNSETIFF, &ifr) == 0;  // the device dies with fd
}

bool nfqueue_target(const std::string& release) {
  std::ifstream targets("/proc/net/ip_tables_targets");
  std::string line;
  while (std::getline(targets, line)) {
    if (line == "NFQUEUE") return true;
  }
  // Not loaded yet, but loadable on demand (hosts with modules).
  std::string dir = "/lib/modules/" + release + "/kernel/net/netfilter/xt_NFQUEUE.ko";
  for (const char* ext : {"", ".xz", ".zst", ".gz"}) {
    if (::access((dir + ext).c_str(), F_OK) == 0) return true;
  }
  return false;
}

class SystemCapabilityProbe final : public CapabilityProbe {
 public:
  Capabilities probe() override {
    Capabilities c;
    c.root = is_root();
    utsname u{};
    if (uname(&u) == 0) c.kernel_release = u.release;
    c.nfqueue = nfqueue_target(c.kernel_release);
    probe_kernel(c);
    probe_programs(c);
    return c;
  }

 private:
  // Everything in a namespace of its own that vanishes with the thread: no
  // names on the host, nothing to clean up. All names still start with "nl-".
  static void probe_kernel(Capabilities& c) {
    try {
      in_anonymous_netns([&] {
        c.netns = true;
        NlSocket rtnl;
        MsgBuilder lo = encode_link_set_up("lo", true);
        rtnl.request(lo, "link_set_up", "lo");
        UniqueFd self(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
        c.veth = attempt([&] {
          MsgBuilder m =
              encode_veth_create(VethPair{"", "nl-probe-a", "", "nl-probe-b", 1500}, self.get());
          rtnl.request(m, "veth_create", "probe");
        });
        const std::string dev = c.veth ? "nl-probe-a" : "lo";
        int index = ifindex_of(rtnl, dev);
        c.nft_netdev = attempt([&] {
          nft_run_here(nft_rules::ingress_chain("nl_probe", dev, 0, false));
        });
        c.wireguard_kernel =
            attempt([&] { create_link_of_kind(rtnl, "nl-probe-wg", "wireguard"); });
        c.xfrm_esp = attempt([&] {
          if (!xfrm_esp_works()) throw Error("no esp");
        });
        // Each qdisc on a device of its own: a root qdisc of another kind
        // cannot be replaced in place, so htb after netem on one device
        // would read as "no htb" wherever netem exists.
        const int other = c.veth ? ifindex_of(rtnl, "nl-probe-b") : index;
        c.netem = attempt([&] { add_root_qdisc(rtnl, other, "netem"); });
        c.htb = attempt([&] { add_root_qdisc(rtnl, index, "htb"); });
        c.tun = tun_works();
      });
    } catch (const Error&) {
      // No namespace (not root, or no CONFIG_NET_NS): every kernel feature
      // stays false; `root`/`netns` say why.
    }
  }

  static void probe_programs(Capabilities& c) {
    const std::string zebra = "/usr/lib/frr/zebra";
    if (executable(zebra)) {
      if (auto out = run_capture({zebra, "--version"}, 5000))
        c.frr_version = parse_frr_version(*out);
    }
    c.frr_bfdd = executable("/usr/lib/frr/bfdd");
    c.wireguard_go = find_program("wireguard-go");
    c.charon = executable("/usr/sbin/charon-systemd") ? "/usr/sbin/charon-systemd"
                                                      : find_program("charon-systemd");
    c.swanctl = find_program("swanctl");
  }
};

}  // namespace

std::unique_ptr<CapabilityProbe> make_capability_probe() {
  return std::make_unique<SystemCapabilityProbe>();
}

}  // namespace netlab::kernel
