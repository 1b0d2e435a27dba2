#pragma once
// What `play --link` says about its Link session on stdout, and the commands typed for it on
// stdin: a tempo (20..999), `start` or `stop`. For the play command's main thread only.

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
  // Runs the commands typed since, then says what changed in the session: peers, tempo, start
  // and stop. About every 50 ms. It never blocks on stdin and reads at most 4 KiB in at most about
  // 5 ms a call (the rest waits for the next). A line over 256 bytes is refused unread; a refused
  // line is shown with its bytes other than printable ASCII escaped. At end of input it stops
  // reading (a last line without a newline is dropped).
  void poll();

 private:
  class Report;
  class Commands;
  link::Session& session_;
  std::unique_ptr<Report> report_;
  std::unique_ptr<Commands> commands_;
};

}  // namespace cacophony::cli
