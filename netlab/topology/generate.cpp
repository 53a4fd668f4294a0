#include "netlab/topology/generate.h"

#include <cstdint>
#include <vector>

#include "netlab/base/error.h"

namespace netlab::topology {

namespace {

constexpr uint64_t kAsnBase = 4200000000;  // private 4-byte ASNs

struct Writer {
  std::string out;

  void router(const std::string& name, uint64_t asn, int index) {
    out += "[nodes." + name + "]\nrole = \"router\"\nasn = " + std::to_string(asn) +
           "\nannounce = [\"10." + std::to_string(index / 256) + "." + std::to_string(index % 256) +
           ".0/24\"]\n\n";
  }
  void host(const std::string& name) { out += "[nodes." + name + "]\nrole = \"host\"\n\n"; }
  void link(const std::string& a, const std::string& b, bool bfd = true) {
    out += "[[links]]\nendpoints = [\"" + a + "\", \"" + b + "\"]\n";
    if (bfd) out += "bfd = true\n";
    out += "\n";
  }
  void scenario(const std::string& name, const std::string& fault) {
    out += "[[scenarios]]\nname = \"" + name + "\"\nfault = " + fault +
           "\nexpect = { reachable = true }\n\n";
  }
};

}  // namespace

Shape shape_from(std::string_view s) {
  if (s == "ring") return Shape::Ring;
  if (s == "clos") return Shape::Clos;
  if (s == "hub") return Shape::Hub;
  throw InputError("unknown shape \"" + std::string(s) + "\" (valid: ring, clos, hub)");
}

std::string generate(const GenerateOptions& o) {
  const int n = o.routers;
  const int spines = o.spines ? o.spines : 2;
  const char* shape = o.shape == Shape::Ring ? "ring" : o.shape == Shape::Clos ? "clos" : "hub";
  const int min = o.shape == Shape::Clos ? spines + 1 : 3;
  if (o.shape == Shape::Clos && (spines < 1 || spines > kMaxGeneratedRouters))
    throw InputError("a clos needs at least 1 spine, not " + std::to_string(spines));
  if (o.shape != Shape::Clos && o.spines)
    throw InputError(std::string("--spines is for clos, not ") + shape);
  if (n < min || n > kMaxGeneratedRouters)
    throw InputError(std::string("a ") + shape + " has " + std::to_string(min) + " to " +
                     std::to_string(kMaxGeneratedRouters) + " routers, not " + std::to_string(n));
  const std::string lab = o.name.empty() ? shape : o.name;

  Writer w;
  w.out = "# netlab generate " + std::string(shape) + " " + std::to_string(n) +
          (o.shape == Shape::Clos ? " --spines " + std::to_string(spines) : "") + "\n";
  w.out += "[lab]\nname = \"" + lab + "\"\ndescription = \"generated: " + shape + " of " +
           std::to_string(n) + " routers, eBGP and BFD on every link\"\n";
  std::string h1_at, h2_at;
  std::vector<std::pair<std::string, std::string>> links;
  std::string scenario, fault;
  switch (o.shape) {
    case Shape::Ring: {
      auto r = [](int i) { return "r" + std::to_string(i); };
      h1_at = r(1);
      h2_at = r(n / 2 + 1);
      for (int i = 1; i <= n; ++i) links.push_back({r(i), r(i % n + 1)});
      scenario = "cut-r1-r2";
      fault = "{ cut = \"r1-r2\" }";
      break;
    }
    case Shape::Clos: {
      auto s = [](int i) { return "s" + std::to_string(i); };
      auto l = [](int i) { return "l" + std::to_string(i); };
      const int leaves = n - spines;
      h1_at = l(1);
      h2_at = l(leaves);
      for (int i = 1; i <= leaves; ++i)
        for (int j = 1; j <= spines; ++j) links.push_back({l(i), s(j)});
      if (spines > 1) {
        scenario = "cut-l1-s1";
        fault = "{ cut = \"l1-s1\" }";
      }
      break;
    }
    case Shape::Hub: {
      auto r = [](int i) { return "r" + std::to_string(i); };
      h1_at = r(2);
      h2_at = r(3);
      for (int i = 2; i <= n; ++i) links.push_back({r(1), r(i)});
      if (n >= 4) {
        scenario = "down-r1-r4";
        fault = "{ down = \"r1-r4\" }";
      }
      break;
    }
  }
  w.out += "probe = { from = \"h1\", to = \"h2\", interval_ms = 10 }\n\n";
  w.host("h1");
  w.host("h2");
  if (o.shape == Shape::Clos) {
    for (int j = 1; j <= spines; ++j) w.router("s" + std::to_string(j), kAsnBase, j);
    for (int i = 1; i <= n - spines; ++i)
      w.router("l" + std::to_string(i), kAsnBase + static_cast<uint64_t>(spines + i), spines + i);
  } else {
    for (int i = 1; i <= n; ++i) w.router("r" + std::to_string(i), kAsnBase + static_cast<uint64_t>(i), i);
  }
  w.link("h1", h1_at, false);
  w.link("h2", h2_at, false);
  for (const auto& [a, b] : links) w.link(a, b);
  if (!scenario.empty()) w.scenario(scenario, fault);
  return w.out;
}

}  // namespace netlab::topology
