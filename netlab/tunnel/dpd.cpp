#include "netlab/tunnel/dpd.h"

namespace netlab::tunnel {

std::string DpdStep::str() const {
  switch (kind) {
    case Kind::Nothing:
      return "nothing";
    case Kind::PeerBack:
      return "peer back";
    case Kind::PeerDead:
      return "peer dead after " + std::to_string(silent_ns / 1'000'000) +
             " ms of silence, action " + std::string(topology::to_string(action));
  }
  return "?";
}

DpdStep DpdMonitor::observe(int64_t now_ns, const WgReading& r) {
  // An unreadable device says nothing about the peer: neither news nor
  // silence is inferred from it, and the previous counters are kept.
  if (!r.peer_present) {
    if (!started_) return {};
  } else if (!started_) {
    // The timer starts when the device is first configured, so a tunnel
    // gets one full timeout to come up.
    started_ = true;
    alive_ = true;
    last_heard_ = now_ns;
    prev_ = r;
    return {};
  }

  // Heard: the counters moved forward. They restart from zero when the peer
  // is removed and added again (our own clear/restart), which is not news.
  bool heard = r.peer_present &&
               (r.rx_bytes > prev_.rx_bytes ||
                (r.last_handshake_ns != 0 && r.last_handshake_ns > prev_.last_handshake_ns));
  if (r.peer_present) prev_ = r;

  if (heard) {
    last_heard_ = now_ns;
    if (!alive_) {
      alive_ = true;
      return {DpdStep::Kind::PeerBack, topology::DpdAction::None, 0};
    }
    return {};
  }
  const int64_t silent = now_ns - last_heard_;
  if (alive_ && silent >= policy_.timeout_ns) {
    alive_ = false;
    last_action_ = now_ns;
    return {DpdStep::Kind::PeerDead, policy_.action, silent};
  }
  // Restart keeps trying, once per timeout, while the peer stays silent.
  if (!alive_ && policy_.action == topology::DpdAction::Restart &&
      now_ns - last_action_ >= policy_.timeout_ns) {
    last_action_ = now_ns;
    return {DpdStep::Kind::PeerDead, policy_.action, silent};
  }
  return {};
}

}  // namespace netlab::tunnel
