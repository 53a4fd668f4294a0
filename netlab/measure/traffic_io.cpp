#include "netlab/measure/traffic_io.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "netlab/base/error.h"
#include "netlab/lab/control.h"

namespace netlab::measure {

namespace {

constexpr int64_t kStartTimeoutNs = 5'000'000'000;
constexpr int64_t kPollNs = 10'000'000;

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The log has its b record: a receiver is bound, a sender has sent.
bool begun(const std::string& path) {
  const TrafficLog log = read_traffic_log(path);
  return log.exists && log.error.empty() && !log.samples.empty();
}

class LabTrafficIo final : public TrafficIo {
 public:
  LabTrafficIo(lab::Control& c, std::string binary) : control_(c), binary_(std::move(binary)) {}

  void start(const std::vector<TrafficSpec>& specs, const std::string& log_dir) override {
    specs_ = specs;
    dir_ = log_dir;
    logs_.clear();
    ::mkdir(log_dir.c_str(), 0700);
    // Receivers first: a sender's first packets must find their socket.
    for (size_t i = 0; i < specs_.size(); ++i) launch(i, false);
    for (size_t i = 0; i < specs_.size(); ++i) await(i, false);
    for (size_t i = 0; i < specs_.size(); ++i) launch(i, true);
    for (size_t i = 0; i < specs_.size(); ++i) await(i, true);
  }

  void stop() override {
    // Senders first: the receivers count everything that was sent.
    for (auto& [node, name] : running_senders_) control_.stop_process(node, name);
    running_senders_.clear();
    for (auto& [node, name] : running_receivers_) control_.stop_process(node, name);
    running_receivers_.clear();
    logs_.clear();
    for (size_t i = 0; i < specs_.size(); ++i) {
      logs_.push_back(
          {read_traffic_log(path(i, true, ".log")), read_traffic_log(path(i, false, ".log"))});
    }
  }

  TrafficWindow window(size_t i, int64_t t0, int64_t t1) const override {
    if (i >= specs_.size()) throw Error("traffic window: no spec " + std::to_string(i));
    if (i >= logs_.size()) {
      // Still running: the logs so far, complete up to their last record.
      TrafficLog s = read_traffic_log(path(i, true, ".log"));
      TrafficLog r = read_traffic_log(path(i, false, ".log"));
      s.ended = r.ended = true;
      return traffic_window(s, r, t0, t1);
    }
    return traffic_window(logs_[i].first, logs_[i].second, t0, t1);
  }

 private:
  std::string path(size_t i, bool sender, const char* ext) const {
    return dir_ + "/" + traffic_slug(specs_[i].name) + (sender ? ".send" : ".recv") + ext;
  }
  std::string process_name(size_t i, bool sender) const {
    return "traffic-" + std::to_string(i) + (sender ? "-send" : "-recv");
  }

  void launch(size_t i, bool sender) {
    const TrafficSpec& s = specs_[i];
    const TrafficOptions o =
        sender ? traffic_sender_options(s, dir_) : traffic_receiver_options(s, dir_);
    process::ProcessSpec spec;
    spec.ns = sender ? s.from_ns : s.to_ns;
    spec.argv = {binary_};
    for (auto& a : traffic_args(o)) spec.argv.push_back(a);
    spec.log_path = path(i, sender, ".out");
    ::unlink(o.out.c_str());  // a previous trial's log must not pass for this one's
    const std::string& node = sender ? s.from_node : s.to_node;
    control_.start_process(node, process_name(i, sender), spec);
    (sender ? running_senders_ : running_receivers_).emplace_back(node, process_name(i, sender));
  }

  void await(size_t i, bool sender) {
    const std::string log = path(i, sender, ".log");
    const int64_t deadline = control_.clock().now_ns() + kStartTimeoutNs;
    while (!begun(log)) {
      if (control_.clock().now_ns() > deadline) {
        throw Error(specs_[i].name + ": netlab-traffic " + (sender ? "sender" : "receiver") +
                    " did not start within 5 s: " + read_all(path(i, sender, ".out")));
      }
      control_.clock().sleep_ns(kPollNs);
    }
  }

  lab::Control& control_;
  std::string binary_;
  std::vector<TrafficSpec> specs_;
  std::string dir_;
  std::vector<std::pair<std::string, std::string>> running_senders_, running_receivers_;
  std::vector<std::pair<TrafficLog, TrafficLog>> logs_;  // sender, receiver; after stop()
};

}  // namespace

std::string traffic_slug(const std::string& name) {
  std::string s = name;
  for (char& c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) c = '-';
  }
  return s.empty() ? "traffic" : s;
}

TrafficOptions traffic_receiver_options(const TrafficSpec& s, const std::string& log_dir) {
  TrafficOptions o;
  o.role = TrafficRole::Recv;
  o.tcp = s.protocol == TrafficProtocol::Tcp;
  o.addr = s.to_addr;
  o.port = s.port;
  o.flows = s.flows;
  o.out = log_dir + "/" + traffic_slug(s.name) + ".recv.log";
  return o;
}

TrafficOptions traffic_sender_options(const TrafficSpec& s, const std::string& log_dir) {
  TrafficOptions o;
  o.role = TrafficRole::Send;
  o.tcp = s.protocol == TrafficProtocol::Tcp;
  o.addr = s.to_addr;
  o.port = s.port;
  o.bind = s.from_addr;
  o.flows = s.flows;
  o.rate_bps = static_cast<uint64_t>(std::llround(s.rate_mbit * 1e6));
  if (!o.tcp) {
    o.pps = static_cast<uint64_t>(std::llround(s.pps));
    o.size = s.size;
    o.df = s.df;
    o.realtime = true;  // paced: SCHED_FIFO below the probe's priority
  }
  o.out = log_dir + "/" + traffic_slug(s.name) + ".send.log";
  return o;
}

std::unique_ptr<TrafficIo> make_lab_traffic_io(lab::Control& c, std::string binary) {
  return std::make_unique<LabTrafficIo>(c, std::move(binary));
}

}  // namespace netlab::measure
