// FakeTrafficIo: a measure::TrafficIo that runs nothing and returns scripted
// windows, for unit tests of trials without root.
//
// `windows` answers window(): given the spec index and the window, it
// returns what the test wants the trial to see (unset: measured = false,
// "not scripted"). Records "traffic-start N DIR" (N specs), "traffic-stop"
// and "traffic-window I T0 T1" in `calls`; start() and stop() throw
// `start_error` / `stop_error` when set, as a program that did not come up.
// Header-only, like fake_control.h.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "netlab/base/error.h"
#include "netlab/measure/traffic_io.h"

namespace netlab::testing {

class FakeTrafficIo : public measure::TrafficIo {
 public:
  std::function<measure::TrafficWindow(size_t spec, int64_t t0_ns, int64_t t1_ns)> windows;
  std::optional<std::string> start_error, stop_error;

  // What the fake was asked, in order.
  mutable std::vector<std::string> calls;
  std::vector<measure::TrafficSpec> specs;  // of the last start()
  std::string log_dir;
  bool running = false;

  void start(const std::vector<measure::TrafficSpec>& s, const std::string& dir) override {
    calls.push_back("traffic-start " + std::to_string(s.size()) + " " + dir);
    if (start_error) throw Error(*start_error);
    specs = s;
    log_dir = dir;
    running = true;
  }
  void stop() override {
    calls.push_back("traffic-stop");
    running = false;
    if (stop_error) throw Error(*stop_error);
  }
  measure::TrafficWindow window(size_t i, int64_t t0, int64_t t1) const override {
    calls.push_back("traffic-window " + std::to_string(i) + " " + std::to_string(t0) + " " +
                    std::to_string(t1));
    if (!windows) return {.measured = false, .why_not = "not scripted"};
    return windows(i, t0, t1);
  }

  // A window as a UDP stream offering `offered_mbit` at `size` bytes that
  // delivered `delivered_pct` of it, over `seconds`.
  static measure::TrafficWindow udp(double offered_mbit, double delivered_pct, double seconds = 1,
                                    uint32_t size = 1200) {
    measure::TrafficWindow w;
    w.measured = true;
    w.seconds = seconds;
    w.offered_mbit = offered_mbit;
    w.offered_pps = offered_mbit * 1e6 / 8 / size;
    w.delivered_pct = delivered_pct;
    w.delivered_mbit = offered_mbit * delivered_pct / 100;
    w.delivered_pps = w.offered_pps * delivered_pct / 100;
    w.loss_pct = 100 - delivered_pct;
    w.sent = static_cast<uint64_t>(w.offered_pps * seconds);
    w.received = static_cast<uint64_t>(w.delivered_pps * seconds);
    w.path_mtu = 1500;
    return w;
  }
};

}  // namespace netlab::testing
