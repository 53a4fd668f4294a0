// VICI, strongSwan's control protocol (src/libcharon/plugins/vici/README.md
// in strongSwan): how netlab loads a charon instance's secrets and
// connections, initiates, and follows its SA events. No libvici: the
// protocol is small, and keeping the encoding pure lets tests decode every
// message back without a daemon.
//
// Layers: a message is a tree of key/values, sections and lists; a packet is
// a type byte, an optional name and a message; the stream carries packets
// with a 32-bit big-endian length prefix.
//
// Errors: malformed input throws Error("vici: ..."); socket failures throw
// KernelError naming the socket; a command answered with success=no throws
// Error with charon's errmsg. Threads: a ViciSession is used by one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "netlab/kernel/unique_fd.h"

namespace netlab::tunnel {

struct ViciEntry;

// One VICI message: ordered entries (order matters to charon, e.g. for
// proposals and for authentication rounds).
struct ViciMessage {
  std::vector<ViciEntry> entries;

  ViciMessage& set(std::string name, std::string value);
  ViciMessage& list(std::string name, std::vector<std::string> items);
  // Appends a section and lets `fill` build it (a builder callback rather than
  // a returned reference: a reference into `entries` would dangle at the next
  // append).
  ViciMessage& section(std::string name, const std::function<void(ViciMessage&)>& fill);

  // First entry of that name and kind, or null.
  const std::string* value(std::string_view name) const;
  const std::vector<std::string>* list_items(std::string_view name) const;
  const ViciMessage* find_section(std::string_view name) const;
  // Follows "a.b.c" through sections to a value.
  const std::string* path(std::string_view dotted) const;

  bool operator==(const ViciMessage&) const;
  // swanctl.conf-like text, for logs and test failures.
  std::string str(int indent = 0) const;
};

struct ViciEntry {
  enum class Kind : uint8_t { Value, Section, List };
  Kind kind = Kind::Value;
  std::string name;
  std::string value;               // Value
  std::vector<std::string> items;  // List
  ViciMessage section;             // Section
  bool operator==(const ViciEntry&) const = default;
};

enum class ViciPacketType : uint8_t {
  CmdRequest = 0,
  CmdResponse = 1,
  CmdUnknown = 2,
  EventRegister = 3,
  EventUnregister = 4,
  EventConfirm = 5,
  EventUnknown = 6,
  Event = 7,
};

struct ViciPacket {
  ViciPacketType type = ViciPacketType::CmdRequest;
  std::string name;  // for named types (request, event (un)register, event)
  ViciMessage message;
  bool operator==(const ViciPacket&) const = default;
};

// --- pure codec ---
std::string encode_vici_message(const ViciMessage&);
ViciMessage decode_vici_message(std::string_view bytes);
// A whole stream segment: 4-byte length, then the packet.
std::string encode_vici_packet(const ViciPacket&);
// One packet, without its length prefix.
ViciPacket decode_vici_packet(std::string_view bytes);
bool vici_packet_named(ViciPacketType);

// A connection to one charon's vici socket.
class ViciSession {
 public:
  virtual ~ViciSession() = default;
  // Sends a command and returns its response. Events that arrive meanwhile
  // are queued for next_event(). Throws Error when charon does not know the
  // command, or when the response says success=no (with charon's errmsg).
  virtual ViciMessage request(const std::string& command, const ViciMessage& args) = 0;
  // A command that streams its answer as events (list-sas streams list-sa;
  // subscribe to `event` first): the streamed messages, in order. Other
  // events that arrive meanwhile stay queued for next_event().
  virtual std::vector<ViciMessage> request_streamed(const std::string& command,
                                                    const ViciMessage& args,
                                                    const std::string& event) = 0;
  // Registers for a named event (child-updown, ike-updown, ...).
  virtual void subscribe(const std::string& event) = 0;
  // The next event, waiting up to `timeout`; nullopt when none came. Throws
  // KernelError when the daemon closed the connection.
  virtual std::optional<ViciPacket> next_event(std::chrono::milliseconds timeout) = 0;
};

// Opens sessions; the real one connects to a UNIX socket path.
using ViciConnector = std::function<std::unique_ptr<ViciSession>(const std::string& socket_path)>;
ViciConnector real_vici_connector();

// The real session over a UNIX stream socket.
class ViciSocketSession final : public ViciSession {
 public:
  // Throws KernelError("connect", path, errno) when nobody listens.
  explicit ViciSocketSession(std::string path,
                             std::chrono::milliseconds io_timeout = std::chrono::seconds(15));
  ViciMessage request(const std::string& command, const ViciMessage& args) override;
  std::vector<ViciMessage> request_streamed(const std::string& command, const ViciMessage& args,
                                            const std::string& event) override;
  void subscribe(const std::string& event) override;
  std::optional<ViciPacket> next_event(std::chrono::milliseconds timeout) override;

 private:
  void send(const ViciPacket&);
  // One packet, waiting up to `timeout`; nullopt on timeout.
  std::optional<ViciPacket> receive(std::chrono::milliseconds timeout);
  ViciPacket receive_reply(const std::string& what);

  std::string path_;
  std::chrono::milliseconds io_timeout_;
  kernel::UniqueFd fd_;
  std::string rx_;  // bytes received and not yet parsed
  std::deque<ViciPacket> events_;
};

// Throws Error("<what>: <errmsg>") unless `reply` says success=yes.
void vici_check_success(const ViciMessage& reply, const std::string& what);

}  // namespace netlab::tunnel
