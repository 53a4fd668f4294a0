#include "netlab/tunnel/vici.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

#include <cerrno>
#include <cstring>

#include "netlab/base/error.h"
#include "netlab/base/time_scale.h"
#include "netlab/kernel/clock.h"

namespace netlab::tunnel {

namespace {

enum : uint8_t {
  kSectionStart = 1,
  kSectionEnd = 2,
  kKeyValue = 3,
  kListStart = 4,
  kListItem = 5,
  kListEnd = 6,
};

// charon refuses longer segments (README: "limited to 512KB").
constexpr size_t kMaxSegment = 512 * 1024;

void put_name(std::string& out, const std::string& name) {
  if (name.empty() || name.size() > 255)
    throw Error("vici: name \"" + name + "\" must be 1..255 bytes");
  out += static_cast<char>(name.size());
  out += name;
}

void put_blob(std::string& out, const std::string& v) {
  if (v.size() > 0xffff)
    throw Error("vici: value of " + std::to_string(v.size()) + " bytes is too long");
  out += static_cast<char>(v.size() >> 8);
  out += static_cast<char>(v.size() & 0xff);
  out += v;
}

void encode_into(std::string& out, const ViciMessage& m) {
  for (const auto& e : m.entries) {
    switch (e.kind) {
      case ViciEntry::Kind::Value:
        out += static_cast<char>(kKeyValue);
        put_name(out, e.name);
        put_blob(out, e.value);
        break;
      case ViciEntry::Kind::Section:
        out += static_cast<char>(kSectionStart);
        put_name(out, e.name);
        encode_into(out, e.section);
        out += static_cast<char>(kSectionEnd);
        break;
      case ViciEntry::Kind::List:
        out += static_cast<char>(kListStart);
        put_name(out, e.name);
        for (const auto& i : e.items) {
          out += static_cast<char>(kListItem);
          put_blob(out, i);
        }
        out += static_cast<char>(kListEnd);
        break;
    }
  }
}

// Reads a message from `in` at `pos` until the end (depth 0) or a
// SECTION_END (depth > 0).
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  ViciMessage message(int depth) {
    ViciMessage m;
    while (pos_ < in_.size()) {
      uint8_t type = byte();
      switch (type) {
        case kSectionStart: {
          ViciEntry e;
          e.kind = ViciEntry::Kind::Section;
          e.name = name();
          e.section = message(depth + 1);
          m.entries.push_back(std::move(e));
          break;
        }
        case kSectionEnd:
          if (depth == 0) throw Error("vici: section end without a section");
          return m;
        case kKeyValue: {
          ViciEntry e;
          e.kind = ViciEntry::Kind::Value;
          e.name = name();
          e.value = blob();
          m.entries.push_back(std::move(e));
          break;
        }
        case kListStart: {
          ViciEntry e;
          e.kind = ViciEntry::Kind::List;
          e.name = name();
          for (;;) {
            uint8_t t = byte();
            if (t == kListEnd) break;
            if (t != kListItem)
              throw Error("vici: element " + std::to_string(t) + " inside a list");
            e.items.push_back(blob());
          }
          m.entries.push_back(std::move(e));
          break;
        }
        default:
          throw Error("vici: unknown element type " + std::to_string(type));
      }
    }
    if (depth != 0) throw Error("vici: section not closed");
    return m;
  }

  uint8_t byte() {
    if (pos_ >= in_.size()) throw Error("vici: message truncated");
    return static_cast<uint8_t>(in_[pos_++]);
  }
  std::string take(size_t n) {
    if (in_.size() - pos_ < n) throw Error("vici: message truncated");
    std::string s(in_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  std::string name() {
    size_t n = byte();
    return take(n);
  }
  std::string blob() {
    size_t hi = byte();
    size_t lo = byte();
    return take(hi << 8 | lo);
  }
  size_t pos() const { return pos_; }

 private:
  std::string_view in_;
  size_t pos_ = 0;
};

void indent_to(std::string& out, int n) { out.append(static_cast<size_t>(n) * 2, ' '); }

int64_t mono_ms() { return kernel::monotonic_ns() / 1'000'000; }

}  // namespace

ViciMessage& ViciMessage::set(std::string name, std::string value) {
  ViciEntry e;
  e.kind = ViciEntry::Kind::Value;
  e.name = std::move(name);
  e.value = std::move(value);
  entries.push_back(std::move(e));
  return *this;
}

ViciMessage& ViciMessage::list(std::string name, std::vector<std::string> items) {
  ViciEntry e;
  e.kind = ViciEntry::Kind::List;
  e.name = std::move(name);
  e.items = std::move(items);
  entries.push_back(std::move(e));
  return *this;
}

ViciMessage& ViciMessage::section(std::string name, const std::function<void(ViciMessage&)>& fill) {
  ViciEntry e;
  e.kind = ViciEntry::Kind::Section;
  e.name = std::move(name);
  if (fill) fill(e.section);
  entries.push_back(std::move(e));
  return *this;
}

const std::string* ViciMessage::value(std::string_view name) const {
  for (const auto& e : entries)
    if (e.kind == ViciEntry::Kind::Value && e.name == name) return &e.value;
  return nullptr;
}

const std::vector<std::string>* ViciMessage::list_items(std::string_view name) const {
  for (const auto& e : entries)
    if (e.kind == ViciEntry::Kind::List && e.name == name) return &e.items;
  return nullptr;
}

const ViciMessage* ViciMessage::find_section(std::string_view name) const {
  for (const auto& e : entries)
    if (e.kind == ViciEntry::Kind::Section && e.name == name) return &e.section;
  return nullptr;
}

const std::string* ViciMessage::path(std::string_view dotted) const {
  const ViciMessage* m = this;
  for (;;) {
    auto dot = dotted.find('.');
    if (dot == std::string_view::npos) return m->value(dotted);
    m = m->find_section(dotted.substr(0, dot));
    if (!m) return nullptr;
    dotted.remove_prefix(dot + 1);
  }
}

bool ViciMessage::operator==(const ViciMessage& o) const { return entries == o.entries; }

std::string ViciMessage::str(int indent) const {
  std::string out;
  for (const auto& e : entries) {
    indent_to(out, indent);
    switch (e.kind) {
      case ViciEntry::Kind::Value:
        out += e.name + " = " + e.value + "\n";
        break;
      case ViciEntry::Kind::List: {
        out += e.name + " = [";
        for (size_t i = 0; i < e.items.size(); ++i) out += (i ? ", " : " ") + e.items[i];
        out += e.items.empty() ? "]\n" : " ]\n";
        break;
      }
      case ViciEntry::Kind::Section:
        out += e.name + " {\n" + e.section.str(indent + 1);
        indent_to(out, indent);
        out += "}\n";
        break;
    }
  }
  return out;
}

std::string encode_vici_message(const ViciMessage& m) {
  std::string out;
  encode_into(out, m);
  return out;
}

ViciMessage decode_vici_message(std::string_view bytes) { return Reader(bytes).message(0); }

bool vici_packet_named(ViciPacketType t) {
  return t == ViciPacketType::CmdRequest || t == ViciPacketType::EventRegister ||
         t == ViciPacketType::EventUnregister || t == ViciPacketType::Event;
}

std::string encode_vici_packet(const ViciPacket& p) {
  std::string body;
  body += static_cast<char>(p.type);
  if (vici_packet_named(p.type)) put_name(body, p.name);
  encode_into(body, p.message);
  if (body.size() > kMaxSegment)
    throw Error("vici: packet of " + std::to_string(body.size()) + " bytes is too long");
  std::string out;
  uint32_t n = static_cast<uint32_t>(body.size());
  out += static_cast<char>(n >> 24);
  out += static_cast<char>((n >> 16) & 0xff);
  out += static_cast<char>((n >> 8) & 0xff);
  out += static_cast<char>(n & 0xff);
  return out + body;
}

ViciPacket decode_vici_packet(std::string_view bytes) {
  if (bytes.empty()) throw Error("vici: empty packet");
  ViciPacket p;
  uint8_t t = static_cast<uint8_t>(bytes[0]);
  if (t > static_cast<uint8_t>(ViciPacketType::Event))
    throw Error("vici: unknown packet type " + std::to_string(t));
  p.type = static_cast<ViciPacketType>(t);
  bytes.remove_prefix(1);
  if (vici_packet_named(p.type)) {
    Reader r(bytes);
    p.name = r.name();
    bytes.remove_prefix(r.pos());
  }
  p.message = decode_vici_message(bytes);
  return p;
}

void vici_check_success(const ViciMessage& reply, const std::string& what) {
  const std::string* ok = reply.value("success");
  if (ok && *ok == "yes") return;
  const std::string* msg = reply.value("errmsg");
  throw Error(what + ": " + (msg ? *msg : std::string("charon answered without success=yes")));
}

// --- the socket session ---

ViciSocketSession::ViciSocketSession(std::string path, std::chrono::milliseconds io_timeout)
    : path_(std::move(path)), io_timeout_(io_timeout) {
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  if (path_.size() >= sizeof sa.sun_path) throw KernelError("connect", path_, ENAMETOOLONG);
  std::memcpy(sa.sun_path, path_.c_str(), path_.size() + 1);
  fd_.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd_) throw KernelError("socket", path_, errno);
  check_errno(::connect(fd_.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa), "connect", path_);
}

void ViciSocketSession::send(const ViciPacket& p) {
  std::string bytes = encode_vici_packet(p);
  const char* d = bytes.data();
  size_t left = bytes.size();
  while (left) {
    ssize_t n = ::send(fd_.get(), d, left, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    check_errno(n, "send vici " + p.name + " to", path_);
    d += n;
    left -= static_cast<size_t>(n);
  }
}

std::optional<ViciPacket> ViciSocketSession::receive(std::chrono::milliseconds timeout) {
  const int64_t deadline = mono_ms() + timeout.count();
  for (;;) {
    if (rx_.size() >= 4) {
      uint32_t n = (uint32_t{static_cast<uint8_t>(rx_[0])} << 24) |
                   (uint32_t{static_cast<uint8_t>(rx_[1])} << 16) |
                   (uint32_t{static_cast<uint8_t>(rx_[2])} << 8) |
                   uint32_t{static_cast<uint8_t>(rx_[3])};
      if (n > kMaxSegment)
        throw Error("vici: segment of " + std::to_string(n) + " bytes from " + path_);
      if (rx_.size() >= 4 + n) {
        ViciPacket p = decode_vici_packet(std::string_view(rx_).substr(4, n));
        rx_.erase(0, 4 + n);
        return p;
      }
    }
    int64_t left = deadline - mono_ms();
    if (left <= 0) return std::nullopt;
    pollfd pfd{fd_.get(), POLLIN, 0};
    int rc = ::poll(&pfd, 1, static_cast<int>(left));
    if (rc < 0 && errno == EINTR) continue;
    check_errno(rc, "poll", path_);
    if (rc == 0) return std::nullopt;
    char buf[8192];
    ssize_t r = ::recv(fd_.get(), buf, sizeof buf, 0);
    if (r < 0 && errno == EINTR) continue;
    check_errno(r, "read from", path_);
    if (r == 0)
      throw KernelError("read from", path_, ECONNRESET, "charon closed the vici connection");
    rx_.append(buf, static_cast<size_t>(r));
  }
}

ViciPacket ViciSocketSession::receive_reply(const std::string& what) {
  for (;;) {
    auto p = receive(io_timeout_);
    if (!p) throw KernelError(what, path_, ETIMEDOUT, "no answer from charon");
    // Events may arrive at any time, also during a command (README).
    if (p->type == ViciPacketType::Event) {
      events_.push_back(std::move(*p));
      continue;
    }
    return std::move(*p);
  }
}

ViciMessage ViciSocketSession::request(const std::string& command, const ViciMessage& args) {
  send({ViciPacketType::CmdRequest, command, args});
  ViciPacket p = receive_reply("vici " + command);
  if (p.type == ViciPacketType::CmdUnknown)
    throw Error("vici " + command + " at " + path_ + ": charon does not know this command");
  if (p.type != ViciPacketType::CmdResponse)
    throw Error("vici " + command + " at " + path_ + ": unexpected packet type " +
                std::to_string(static_cast<int>(p.type)));
  return std::move(p.message);
}

std::vector<ViciMessage> ViciSocketSession::request_streamed(const std::string& command,
                                                             const ViciMessage& args,
                                                             const std::string& event) {
  const size_t before = events_.size();
  request(command, args);
  std::vector<ViciMessage> out;
  std::deque<ViciPacket> rest;
  for (size_t i = 0; i < events_.size(); ++i) {
    if (i >= before && events_[i].name == event)
      out.push_back(std::move(events_[i].message));
    else
      rest.push_back(std::move(events_[i]));
  }
  events_ = std::move(rest);
  return out;
}

void ViciSocketSession::subscribe(const std::string& event) {
  send({ViciPacketType::EventRegister, event, {}});
  ViciPacket p = receive_reply("vici register " + event);
  if (p.type == ViciPacketType::EventUnknown)
    throw Error("vici register " + event + " at " + path_ + ": charon has no such event");
  if (p.type != ViciPacketType::EventConfirm)
    throw Error("vici register " + event + " at " + path_ + ": unexpected packet type " +
                std::to_string(static_cast<int>(p.type)));
}

std::optional<ViciPacket> ViciSocketSession::next_event(std::chrono::milliseconds timeout) {
  if (!events_.empty()) {
    ViciPacket p = std::move(events_.front());
    events_.pop_front();
    return p;
  }
  auto p = receive(timeout);
  if (p && p->type != ViciPacketType::Event)
    throw Error("vici: unexpected packet type " + std::to_string(static_cast<int>(p->type)) +
                " from " + path_ + " outside a command");
  return p;
}

ViciConnector real_vici_connector() {
  return [](const std::string& path) -> std::unique_ptr<ViciSession> {
    return std::make_unique<ViciSocketSession>(path, scaled(std::chrono::seconds(15)));
  };
}

}  // namespace netlab::tunnel
