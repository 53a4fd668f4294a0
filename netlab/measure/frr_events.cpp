#include "netlab/measure/frr_events.h"

#include <sys/stat.h>

#include <charconv>
#include <ctime>
#include <fstream>

namespace netlab::measure {

namespace {

// "2026/11/21 19:35:51.322366" -> realtime ns (local time), or -1.
int64_t parse_timestamp(std::string_view s) {
  if (s.size() < 19) return -1;
  auto num = [&](size_t pos, size_t len, int& out) {
    auto [p, ec] = std::from_chars(s.data() + pos, s.data() + pos + len, out);
    return ec == std::errc() && p == s.data() + pos + len;
  };
  std::tm tm{};
  int y, mo, d, h, mi, se;
  if (!num(0, 4, y) || s[4] != '/' || !num(5, 2, mo) || s[7] != '/' || !num(8, 2, d) ||
      s[10] != ' ' || !num(11, 2, h) || s[13] != ':' || !num(14, 2, mi) || s[16] != ':' ||
      !num(17, 2, se))
    return -1;
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = se;
  tm.tm_isdst = -1;
  time_t t = std::mktime(&tm);
  if (t == -1) return -1;
  int64_t ns = int64_t{t} * 1'000'000'000;
  if (s.size() > 20 && s[19] == '.') {
    size_t i = 20;
    int64_t frac = 0, scale = 1'000'000'000;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      scale /= 10;
      frac += (s[i] - '0') * scale;
      ++i;
    }
    ns += frac;
  }
  return ns;
}

// The value after `key` up to the next space or ']'.
std::string field(std::string_view line, std::string_view key) {
  auto p = line.find(key);
  if (p == std::string_view::npos) return {};
  p += key.size();
  auto e = line.find_first_of(" ]", p);
  return std::string(line.substr(p, e == std::string_view::npos ? e : e - p));
}

}  // namespace

std::vector<FrrEvent> parse_frr_log(std::string_view text) {
  std::vector<FrrEvent> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) break;  // an incomplete last line waits
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    int64_t ts = parse_timestamp(line);
    if (ts < 0) continue;
    if (auto p = line.find("state-change: "); p != std::string_view::npos) {
      // state-change: [mhop:no peer:10.9.0.2 local:... ifname:eth1] up -> down reason:control-expired
      auto arrow = line.find(" -> ", p);
      if (arrow == std::string_view::npos) continue;
      auto to_end = line.find(' ', arrow + 4);
      std::string to(line.substr(arrow + 4, to_end == std::string_view::npos ? to_end : to_end - arrow - 4));
      if (to != "up" && to != "down") continue;  // init/admin-down steps are not changes of reachability
      FrrEvent e{ts, "bfd-" + to, field(line, "peer:"), field(line, "reason:")};
      out.push_back(std::move(e));
    } else if (auto q = line.find("%ADJCHANGE: neighbor "); q != std::string_view::npos) {
      // %ADJCHANGE: neighbor 10.9.0.2(b) in vrf default Down BGP Notification send
      auto start = q + 21;
      auto end = line.find_first_of("( ", start);
      std::string peer(line.substr(start, end - start));
      auto vrf = line.find(" in vrf ", start);
      if (vrf == std::string_view::npos) continue;
      auto state_at = line.find(' ', vrf + 8);  // after the vrf name
      if (state_at == std::string_view::npos) continue;
      std::string_view rest = line.substr(state_at + 1);
      std::string kind;
      if (rest.starts_with("Up")) kind = "bgp-up";
      else if (rest.starts_with("Down")) kind = "bgp-down";
      else continue;
      auto sp = rest.find(' ');
      std::string detail(sp == std::string_view::npos ? std::string_view() : rest.substr(sp + 1));
      out.push_back({ts, kind, peer, detail});
    }
  }
  return out;
}

FrrLogTail::FrrLogTail(std::string path) : path_(std::move(path)) {}

void FrrLogTail::skip_to_end() {
  struct stat st;
  offset_ = ::stat(path_.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

std::vector<FrrEvent> FrrLogTail::read_new() {
  std::ifstream in(path_, std::ios::binary);
  if (!in) return {};
  in.seekg(static_cast<std::streamoff>(offset_));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Consume only complete lines; a line being written is read next time.
  auto last_nl = text.rfind('\n');
  if (last_nl == std::string::npos) return {};
  text.resize(last_nl + 1);
  offset_ += text.size();
  return parse_frr_log(text);
}

}  // namespace netlab::measure
