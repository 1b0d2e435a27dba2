// klick's OSC messages (issue 25, klick parity) through OscRemote over real UDP: each gives the
// command that has klick's effect, each bad one the same /cacophony/error as ours, and klick's
// queries, ping and registered clients get klick's replies.
#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "cacophony/remote/osc.h"
#include "support/osc_remote_fixture.h"

namespace cacophony::remote {
namespace {

using namespace test_support;
using K = Command::Kind;

struct KlickValid {
  std::string path;
  std::vector<Arg> args;
  K kind;
  double value = 0;
  int beats = 0;
  int unit = 0;
  std::string word = {};
  std::optional<double> at = std::nullopt;
};

TEST_F(OscTest, EachKlickMessageGivesItsCommand) {
  const std::vector<KlickValid> cases{
      {"/klick/metro/start", {}, K::start},
      {"/klick/metro/stop", {}, K::stop},
      {"/klick/simple/set_tempo", {120.0F}, K::tempo, 120},
      {"/klick/simple/set_tempo", {std::int32_t{60}}, K::tempo, 60},  // klick takes i and d too
      {"/klick/simple/set_tempo", {90.5}, K::tempo, 90.5},
      {"/klick/simple/set_meter", {std::int32_t{3}, std::int32_t{4}}, K::meter, 0, 3, 4},
      {"/klick/simple/set_meter", {7.0F, 8.0F}, K::meter, 0, 7, 8},
      {"/klick/simple/set_meter", {std::int32_t{0}, std::int32_t{4}}, K::meter, 0, 0, 4},
      {"/klick/simple/set_pattern", {"X.x"}, K::pattern, 0, 0, 0, "X.x"},
      {"/klick/simple/set_pattern", {""}, K::pattern},
      {"/klick/simple/set_pattern",
       {std::string(64, 'x')},
       K::pattern,
       0,
       0,
       0,
       std::string(64, 'x')},
      {"/klick/simple/tap", {}, K::tap},
      {"/klick/simple/tap", {1000.5}, K::tap, 0, 0, 0, "", 1000.5},
      {"/klick/config/set_volume", {0.5F}, K::gain, 0.5},
      {"/klick/config/set_volume", {std::int32_t{1}}, K::gain, 1},
      {"/klick/config/set_volume", {0.0F}, K::gain, 0},
      {"/klick/quit", {}, K::quit},
      {"/klick/query", {}, K::query, 0, 0, 0, "/klick/query"},
      {"/klick/simple/query", {}, K::query, 0, 0, 0, "/klick/simple/query"},
      {"/klick/metro/query", {}, K::query, 0, 0, 0, "/klick/metro/query"},
      {"/klick/config/query", {}, K::query, 0, 0, 0, "/klick/config/query"},
      {"/klick/ping", {}, K::ping},
  };
  for (const KlickValid& valid : cases) {
    SCOPED_TRACE(valid.path);
    send(valid.path, valid.args);
    const auto commands = until_command();
    ASSERT_EQ(commands.size(), 1U);
    EXPECT_EQ(commands[0].kind, valid.kind);
    EXPECT_EQ(commands[0].dialect, Command::Dialect::klick);
    EXPECT_DOUBLE_EQ(commands[0].value, valid.value);
    EXPECT_EQ(commands[0].beats, valid.beats);
    EXPECT_EQ(commands[0].unit, valid.unit);
    EXPECT_EQ(commands[0].word, valid.word);
    EXPECT_EQ(commands[0].at, valid.at);
    EXPECT_EQ(commands[0].from, client_url());
  }
  linger();
  EXPECT_TRUE(replies_.empty()) << replies_.front().path << " " << replies_.front().word;
}

TEST_F(OscTest, OurMessagesStayOurs) {
  send("/cacophony/meter", {std::int32_t{3}, std::int32_t{4}});
  const auto commands = until_command();
  ASSERT_EQ(commands.size(), 1U);
  EXPECT_EQ(commands[0].dialect, Command::Dialect::cacophony);
}

TEST_F(OscTest, AKlickReturnAddressTakesTheSendersPlace) {
  const std::string elsewhere = "osc.udp://127.0.0.1:40123/";
  for (const char* path : {"/klick/query", "/klick/simple/query", "/klick/metro/query",
                           "/klick/config/query", "/klick/ping"}) {
    SCOPED_TRACE(path);
    send(path, {elsewhere});
    const auto commands = until_command();
    ASSERT_EQ(commands.size(), 1U);
    EXPECT_EQ(commands[0].from, elsewhere);
  }
}

struct KlickBad {
  std::string path;
  std::vector<Arg> args;
  std::string why;
};

TEST_F(OscTest, EachBadKlickMessageIsAnsweredWithAnErrorAndNoCommand) {
  const std::string url_wanted = "no arguments or one string (a URL)";
  const std::vector<KlickBad> cases{
      {"/klick/simple/set_tempo",
       {"fast"},
       "/klick/simple/set_tempo takes one number (bpm), got ,s"},
      {"/klick/simple/set_tempo", {}, "/klick/simple/set_tempo takes one number (bpm), got none"},
      {"/klick/simple/set_tempo", {-5.0F}, "tempo -5 is outside 1..1000"},
      {"/klick/simple/set_tempo", {5000.0F}, "tempo 5000 is outside 1..1000"},
      {"/klick/simple/set_tempo", {kNan}, "tempo nan is not finite"},
      {"/klick/simple/set_meter",
       {std::int32_t{4}},
       "/klick/simple/set_meter takes two numbers (beats, unit), got ,i"},
      {"/klick/simple/set_meter",
       {std::int32_t{65}, std::int32_t{4}},
       "meter beats 65 is not a whole number in 0..64"},
      {"/klick/simple/set_meter",
       {std::int32_t{-1}, std::int32_t{4}},
       "meter beats -1 is not a whole number in 0..64"},
      {"/klick/simple/set_meter", {5.5F, 4.0F}, "meter beats 5.5 is not a whole number in 0..64"},
      {"/klick/simple/set_meter",
       {std::int32_t{4}, std::int32_t{3}},
       "meter unit 3 is not 1, 2, 4, 8, 16 or 32"},
      {"/klick/simple/set_pattern", {"Xab"}, "pattern Xab has a letter other than X, x and ."},
      {"/klick/simple/set_pattern", {std::string(65, 'x')}, "pattern has more than 64 beats"},
      {"/klick/simple/set_pattern",
       {std::int32_t{1}},
       "/klick/simple/set_pattern takes one string (X, x, .), got ,i"},
      {"/klick/simple/tap", {kInf}, "tap time inf is not finite"},
      {"/klick/simple/tap",
       {"now"},
       "/klick/simple/tap takes no arguments or one number (a time in seconds), got ,s"},
      {"/klick/config/set_volume", {1.5F}, "volume 1.5 is outside 0..1"},
      {"/klick/config/set_volume", {-0.25F}, "volume -0.25 is outside 0..1"},
      {"/klick/quit", {std::int32_t{1}}, "/klick/quit takes no arguments, got ,i"},
      {"/klick/metro/start", {1.0F}, "/klick/metro/start takes no arguments, got ,f"},
      {"/klick/query", {"http://x/"}, "/klick/query: http://x/ is not an osc.udp:// URL"},
      {"/klick/ping", {std::int32_t{1}}, "/klick/ping takes " + url_wanted + ", got ,i"},
      {"/klick/register_client",
       {"osc.udp://127.0.0.1:0/"},
       "/klick/register_client: the URL's port must be a number in 1..65535"},
      {"/klick/simple/set_tempo_increment",
       {1.0F},
       "unknown path /klick/simple/set_tempo_increment"},
      {"/klick/metro/set_type", {"map"}, "unknown path /klick/metro/set_type"},
      // Our meter still starts at 1 beat: 0 is klick's alone.
      {"/cacophony/meter",
       {std::int32_t{0}, std::int32_t{4}},
       "meter beats 0 is not a whole number in 1..64"},
  };
  for (const KlickBad& bad : cases) {
    SCOPED_TRACE(bad.path + " -> " + bad.why);
    replies_.clear();
    send(bad.path, bad.args);
    const auto seen = until_reply();
    EXPECT_TRUE(seen.empty());
    ASSERT_EQ(replies_.size(), 1U);
    EXPECT_EQ(replies_[0].path, "/cacophony/error");
    EXPECT_EQ(replies_[0].word, bad.why);
  }
}

// The paths and arguments of the replies, as "path types numbers... word".
std::vector<std::string> described(const std::vector<Reply>& replies) {
  std::vector<std::string> lines;
  for (const Reply& r : replies) {
    std::string line = r.path + " " + r.types;
    for (const double n : r.numbers) line += " " + std::to_string(std::lround(n * 1000));
    if (r.types.find('s') != std::string::npos) line += " '" + r.word + "'";
    lines.push_back(line);
  }
  return lines;
}

const State kPlaying{133.5, 7, 8, true, 12, 3, 0, "Xx.xxXx", 0.5F};

const std::vector<std::string> kConfig{"/klick/config/volume f 500"};
const std::vector<std::string> kMetro{"/klick/metro/type s 'simple'", "/klick/metro/active i 1000"};
const std::vector<std::string> kSimple{
    "/klick/simple/tempo f 133500",         "/klick/simple/tempo_increment f 0",
    "/klick/simple/tempo_start f 0",        "/klick/simple/tempo_limit f 0",
    "/klick/simple/current_tempo f 133500", "/klick/simple/meter ii 7000 8000",
    "/klick/simple/pattern s 'Xx.xxXx'"};

std::vector<std::string> joined(std::vector<std::vector<std::string>> parts) {
  std::vector<std::string> all;
  for (const auto& part : parts) all.insert(all.end(), part.begin(), part.end());
  return all;
}

TEST_F(OscTest, KlickQueriesAreAnsweredAsKlickDoes) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases{
      {"/klick/config/query", kConfig},
      {"/klick/metro/query", kMetro},
      {"/klick/simple/query", kSimple},
      {"/klick/query", joined({kConfig, kMetro, kSimple})},
  };
  for (const auto& [path, expected] : cases) {
    SCOPED_TRACE(path);
    replies_.clear();
    remote_.send_klick_state(client_url(), kPlaying, path);
    pump([&](const auto&) { return replies_.size() >= expected.size(); });
    linger();
    EXPECT_EQ(described(replies_), expected);
  }
}

TEST_F(OscTest, StoppedKlickSaysInactiveAndNoCurrentTempo) {
  State stopped = kPlaying;
  stopped.playing = false;
  remote_.send_klick_state(client_url(), stopped, "/klick/simple/query");
  remote_.send_klick_state(client_url(), stopped, "/klick/metro/query");
  pump([&](const auto&) { return replies_.size() >= 9; });
  const std::vector<std::string> lines = described(replies_);
  ASSERT_EQ(lines.size(), 9U);
  EXPECT_EQ(lines[4], "/klick/simple/current_tempo f 0");
  EXPECT_EQ(lines[8], "/klick/metro/active i 0");
}

TEST_F(OscTest, EvenBeatsAreToldAsKlicksZeroBeats) {
  State even = kPlaying;
  even.beats = 1;
  even.pattern = "x";
  remote_.send_klick_state(client_url(), even, "/klick/simple/query");
  pump([&](const auto&) { return replies_.size() >= 7; });
  const std::vector<std::string> lines = described(replies_);
  ASSERT_EQ(lines.size(), 7U);
  EXPECT_EQ(lines[5], "/klick/simple/meter ii 0 8000");
  EXPECT_EQ(lines[6], "/klick/simple/pattern s ''");
}

TEST_F(OscTest, APingIsAnsweredWithAPong) {
  remote_.send_pong(client_url());
  until_reply();
  ASSERT_EQ(replies_.size(), 1U);
  EXPECT_EQ(replies_[0].path, "/klick/pong");
  EXPECT_EQ(replies_[0].types, "");
  EXPECT_EQ(replies_[0].from_port, remote_.port());
}

TEST_F(OscTest, KlickClientsHearKlicksMessagesUntilTheyUnregister) {
  send("/klick/register_client");
  ASSERT_EQ(until_command().size(), 1U);
  EXPECT_EQ(remote_.clients(), 1U);
  remote_.notify(kPlaying);
  pump([&](const auto&) { return replies_.size() >= 10; });
  linger();
  EXPECT_EQ(described(replies_), joined({kConfig, kMetro, kSimple}));

  send("/klick/unregister_client");
  ASSERT_EQ(until_command().size(), 1U);
  EXPECT_EQ(remote_.clients(), 0U);
  replies_.clear();
  remote_.notify(kPlaying);
  linger();
  EXPECT_TRUE(replies_.empty());
}

TEST_F(OscTest, OneUrlMayBeOurClientAndKlicksAtOnce) {
  send("/klick/register_client", {client_url()});
  send("/cacophony/register", {client_url()});
  pump([](const auto& seen) { return seen.size() == 2; });
  EXPECT_EQ(remote_.clients(), 2U);
  remote_.notify(kPlaying);
  pump([&](const auto&) { return replies_.size() >= 11; });
  linger();
  ASSERT_EQ(replies_.size(), 11U);
  EXPECT_EQ(replies_.back().path, "/cacophony/state");
}

}  // namespace
}  // namespace cacophony::remote
