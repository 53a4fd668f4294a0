#include "netlab/cli/common.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "netlab/kernel/clock.h"
#include "netlab/kernel/netlink.h"
#include "netlab/kernel/nft.h"
#include "netlab/topology/loader.h"
#include "netlab/topology/names.h"
#include "netlab/version.h"

namespace netlab::cli {

namespace fs = std::filesystem;

std::string data_dir() {
  if (const char* env = std::getenv("NETLAB_DATA_DIR")) return env;
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path installed = exe.parent_path().parent_path() / "share" / "netlab";
    if (fs::exists(installed / "frr-templates")) return installed.string();
  }
  return NETLAB_SOURCE_DIR;
}

std::string default_topology() { return data_dir() + "/topologies/hybrid-backup.toml"; }

topology::Topology load_topology(const std::string& path) {
  auto r = topology::load_and_validate(path);
  bool color = ::isatty(2);
  if (!r.diagnostics.items().empty()) std::fputs(r.render(color).c_str(), stderr);
  if (!r.ok()) {
    size_t n = r.diagnostics.error_count();
    throw InputError(path + ": " + std::to_string(n) + " error" + (n == 1 ? "" : "s") +
                     "; nothing was touched");
  }
  return std::move(*r.topology);
}

plan::PlanOptions plan_options() {
  plan::PlanOptions o;
  o.templates_dir = data_dir() + "/frr-templates";
  if (const char* root = std::getenv("NETLAB_RUNTIME_ROOT")) o.runtime_root = root;
  return o;
}

plan::Plan make_plan(const topology::Topology& t) {
  auto keys = plan::make_key_source();
  return plan::make_plan(t, plan_options(), *keys);
}

void require_lab(const std::string& lab) {
  struct stat st;
  if (!topology::valid_lab_name(lab) ||
      ::stat(lab::runtime_dir(plan_options().runtime_root, lab).c_str(), &st) != 0)
    throw InputError("no lab named \"" + lab + "\" on this host (see `netlab ls`)");
}

std::optional<plan::Plan> running_plan(const std::string& lab) {
  std::ifstream in(lab::runtime_dir(plan_options().runtime_root, lab) + "/topology.toml");
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  auto loaded = topology::load_string(ss.str(), lab + "/topology.toml");
  if (!loaded.topology) return std::nullopt;
  return make_plan(*loaded.topology);
}

namespace {
std::atomic<bool> g_stop{false};
std::atomic<int> g_signals{0};

void on_signal(int) {
  g_stop.store(true);
  // Only async-signal-safe calls here: write(2).
  if (g_signals.fetch_add(1) == 1) {
    static const char msg[] = "netlab: already stopping: the lab is being torn down\n";
    ssize_t n = ::write(2, msg, sizeof msg - 1);
    (void)n;
  }
}
}  // namespace

// The flag is only ever set once install_stop_signals() has run; the host
// holds it from the start so vtysh waits honour it too.
RealHost::RealHost() : sys_(&g_stop, progress) {}

void require_root(const std::string& what) {
  if (::geteuid() != 0)
    throw EnvironmentError(what + " needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN): labs are network "
                           "namespaces and root-owned files; run it with sudo. Nothing was touched.");
}

void require_environment(const kernel::Capabilities& c) {
  if (!c.root)
    throw EnvironmentError(
        "netlab needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN) to build network namespaces; "
        "run it with sudo or in a privileged container");
  if (!c.netns) throw EnvironmentError("this kernel has no network namespaces");
  if (!c.veth) throw EnvironmentError("this kernel has no veth links");
  if (c.frr_version.empty())
    throw EnvironmentError("FRRouting is not installed (no /usr/lib/frr/zebra): apt-get install frr");
  if (!c.frr_bfdd) throw EnvironmentError("FRR's bfdd is missing (/usr/lib/frr/bfdd)");
  if (!c.nft_netdev)
    throw EnvironmentError("nftables netdev ingress hooks are missing: netlab cannot cut links");
}

const std::atomic<bool>* install_stop_signals() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: blocking waits return EINTR and see the flag
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGHUP, &sa, nullptr);
  struct sigaction ign {};
  ign.sa_handler = SIG_IGN;
  sigemptyset(&ign.sa_mask);
  sigaction(SIGPIPE, &ign, nullptr);
  return &g_stop;
}

bool stop_requested() { return g_stop.load(); }

namespace {
std::string g_progress_tag;
}  // namespace

void set_progress_tag(const std::string& tag) { g_progress_tag = tag.empty() ? "" : tag + " "; }

void progress(const std::string& line) {
  static const int64_t t0 = kernel::system_clock().now_ns();
  double s = static_cast<double>(kernel::system_clock().now_ns() - t0) / 1e9;
  std::fprintf(stderr, "[%6.2fs] %s%s\n", s, g_progress_tag.c_str(), line.c_str());
}

}  // namespace netlab::cli
