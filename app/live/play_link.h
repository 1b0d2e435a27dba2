#pragma once
// What `play --link` says about its Link session on stdout (the commands typed for it are
// live_input.h's). For the play command's main thread only.

#include <memory>

#include "cacophony/link/session.h"

namespace cacophony::cli {

class LinkConsole {
 public:
  // `session` must outlive the console.
  explicit LinkConsole(link::Session& session);
  ~LinkConsole();
  LinkConsole(const LinkConsole&) = delete;
  LinkConsole& operator=(const LinkConsole&) = delete;

  // Waits up to a second for peers and says whom it plays with. With start/stop sync, alone it
  // starts the session; in a stopped session it says it waits for a peer's start, since Link
  // passes on starts and stops as they happen.
  void join();
  // Says what changed in the session since: peers, tempo, start and stop. About every 50 ms.
  void poll();

 private:
  class Report;
  link::Session& session_;
  std::unique_ptr<Report> report_;
};

}  // namespace cacophony::cli
