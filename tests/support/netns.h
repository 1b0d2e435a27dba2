#pragma once
// Test helper: network namespaces made (and removed) by a test, so that Link's peers talk over
// interfaces of their own and nothing leaves the machine. Making them needs root; without it
// ok() is false and why() says what failed.

#include <unistd.h>

#include <string>
#include <vector>

#include "process.h"

namespace cacophony::test_support {

class Namespaces {
 public:
  // `count` namespaces, each with its loopback up; with `veth`, two joined by a veth pair
  // (10.213.0.1/24 and 10.213.0.2/24). `loopback` false leaves them with no interface up at all.
  Namespaces(int count, bool veth, bool loopback = true) {
    const std::string tag = std::to_string(getpid());
    for (int i = 0; i < count; ++i) {
      const std::string name = "cacophony-" + tag + "-" + std::to_string(i);
      if (!succeeds({"ip", "netns", "add", name})) {
        why_ =
            "cannot make a network namespace ('ip netns add " + name + "' failed; it needs root)";
        return;
      }
      names_.push_back(name);
      if (loopback && !succeeds({"ip", "-n", name, "link", "set", "lo", "up"})) {
        why_ = "cannot bring up the loopback of " + name;
        return;
      }
    }
    if (veth && !(count == 2 && join("cv" + tag + "a", "cv" + tag + "b"))) {
      why_ = "cannot join two namespaces with a veth pair ('ip link add ... type veth' failed)";
      return;
    }
    ok_ = true;
  }
  ~Namespaces() {
    // Deleting a namespace deletes the veth end in it, and with it the pair.
    for (const std::string& name : names_) succeeds({"ip", "netns", "del", name});
  }
  Namespaces(const Namespaces&) = delete;
  Namespaces& operator=(const Namespaces&) = delete;

  bool ok() const { return ok_; }
  const std::string& why() const { return why_; }
  // The command line that runs `args` in namespace `i`.
  std::vector<std::string> in(int i, std::vector<std::string> args) const {
    args.insert(args.begin(), {"ip", "netns", "exec", names_.at(static_cast<std::size_t>(i))});
    return args;
  }

 private:
  // Joins the first two namespaces with a veth pair whose ends are `a` and `b`.
  bool join(const std::string& a, const std::string& b) const {
    const std::string& first = names_.at(0);
    const std::string& second = names_.at(1);
    return succeeds({"ip", "link", "add", a, "type", "veth", "peer", "name", b}) &&
           succeeds({"ip", "link", "set", a, "netns", first}) &&
           succeeds({"ip", "link", "set", b, "netns", second}) &&
           succeeds({"ip", "-n", first, "addr", "add", "10.213.0.1/24", "dev", a}) &&
           succeeds({"ip", "-n", second, "addr", "add", "10.213.0.2/24", "dev", b}) &&
           succeeds({"ip", "-n", first, "link", "set", a, "up"}) &&
           succeeds({"ip", "-n", second, "link", "set", b, "up"});
  }

  std::vector<std::string> names_;
  std::string why_;
  bool ok_ = false;
};

}  // namespace cacophony::test_support
