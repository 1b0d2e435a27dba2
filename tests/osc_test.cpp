// OscRemote over real UDP on 127.0.0.1: every server binds a free port (0), so tests never
// collide; a second liblo server plays the client and receives the replies.
#include "cacophony/remote/osc.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <lo/lo.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <variant>
#include <vector>

#include "support/osc_remote_fixture.h"

namespace cacophony::remote {
namespace {

using namespace test_support;

TEST_F(OscTest, BindsAFreePort) {
  EXPECT_GT(remote_.port(), 0);
}

TEST_F(OscTest, APortAlreadyTakenThrows) {
  EXPECT_THROW(OscRemote("127.0.0.1", remote_.port()), OscError);
}

TEST_F(OscTest, AnAddressNotOfThisMachineThrows) {
  EXPECT_THROW(OscRemote("192.0.2.1", 0), OscError);  // TEST-NET-1: never a local address
  EXPECT_THROW(OscRemote("127.0.0.1", 70000), OscError);
}

TEST_F(OscTest, OnlyTheHostGivenIsBound) {
  // Bound to 127.0.0.1 alone (not every address), the port stays free on 127.0.0.2.
  EXPECT_NO_THROW(OscRemote("127.0.0.2", remote_.port()));
}

struct Valid {
  std::string path;
  std::vector<Arg> args;
  Command::Kind kind;
  double value = 0;
  int beats = 0;
  int unit = 0;
};

TEST_F(OscTest, EachValidMessageGivesItsCommand) {
  using K = Command::Kind;
  const std::vector<Valid> cases{
      {"/cacophony/tempo", {120.0F}, K::tempo, 120},
      {"/cacophony/tempo", {90.5}, K::tempo, 90.5},
      {"/cacophony/tempo", {std::int32_t{60}}, K::tempo, 60},
      {"/cacophony/tempo", {1.0F}, K::tempo, 1},
      {"/cacophony/tempo", {1000.0F}, K::tempo, 1000},
      {"/cacophony/tap", {}, K::tap},
      {"/cacophony/start", {}, K::start},
      {"/cacophony/stop", {}, K::stop},
      {"/cacophony/meter", {std::int32_t{7}, std::int32_t{8}}, K::meter, 0, 7, 8},
      {"/cacophony/meter", {3.0F, 4.0F}, K::meter, 0, 3, 4},
      {"/cacophony/volume", {std::int32_t{50}}, K::volume, 50},
      {"/cacophony/volume", {75.5F}, K::volume, 75.5},
      {"/cacophony/volume", {0.0}, K::volume, 0},
      {"/cacophony/next", {}, K::next_song},
      {"/cacophony/previous", {}, K::previous_song},
  };
  for (const Valid& valid : cases) {
    SCOPED_TRACE(valid.path);
    send(valid.path, valid.args);
    const auto commands = until_command();
    ASSERT_EQ(commands.size(), 1U);
    EXPECT_EQ(commands[0].kind, valid.kind);
    EXPECT_DOUBLE_EQ(commands[0].value, valid.value);
    EXPECT_EQ(commands[0].beats, valid.beats);
    EXPECT_EQ(commands[0].unit, valid.unit);
  }
  linger();
  EXPECT_TRUE(replies_.empty()) << replies_.front().path << " " << replies_.front().word;
}

TEST_F(OscTest, ASongIsNamed) {
  send("/cacophony/song", {std::string("ballad")});
  const auto commands = until_command();
  ASSERT_EQ(commands.size(), 1U);
  EXPECT_EQ(commands[0].kind, Command::Kind::song);
  EXPECT_EQ(commands[0].word, "ballad");
}

TEST_F(OscTest, AQueryIsAnsweredWithTheStateFromTheServersPort) {
  send("/cacophony/query");
  const auto commands = until_command();
  ASSERT_EQ(commands.size(), 1U);
  ASSERT_EQ(commands[0].kind, Command::Kind::query);
  EXPECT_EQ(commands[0].from, client_url());
  remote_.send_state(commands[0].from, State{133.5, 7, 8, false, 12, 3, 2, "", 1});
  until_reply();
  ASSERT_EQ(replies_.size(), 1U);
  EXPECT_EQ(replies_[0].path, "/cacophony/state");
  EXPECT_EQ(replies_[0].types, "fiiiiii");
  EXPECT_EQ(replies_[0].from_port, remote_.port());
  EXPECT_EQ(replies_[0].numbers, (std::vector<double>{133.5, 7, 8, 0, 12, 3, 2}));
}

TEST_F(OscTest, ABundleIsTakenAtOnceWhateverItsTimeTag) {
  lo_timetag later{};
  lo_timetag_now(&later);
  later.sec += 3600;
  lo_bundle bundle = lo_bundle_new(later);
  lo_bundle_add_message(bundle, "/cacophony/tempo", build({100.0F}));
  lo_bundle_add_message(bundle, "/cacophony/start", build({}));
  lo_send_bundle_from(target_, client_, bundle);
  lo_bundle_free_recursive(bundle);
  const auto commands = pump([](const auto& seen) { return seen.size() >= 2; });
  ASSERT_EQ(commands.size(), 2U);
  EXPECT_EQ(commands[0].kind, Command::Kind::tempo);
  EXPECT_EQ(commands[1].kind, Command::Kind::start);
}

struct Bad {
  std::string path;
  std::vector<Arg> args;
  std::string why;  // empty: any reason
};

TEST_F(OscTest, EachBadMessageGetsOneErrorAndNoCommand) {
  const std::vector<Bad> cases{
      {"/nope", {}, "unknown path /nope"},
      {"/cacophony", {}, ""},
      {"/cacophony/tempo",
       {std::string("fast")},
       "/cacophony/tempo takes one number (bpm), got ,s"},
      {"/cacophony/tempo", {}, "/cacophony/tempo takes one number (bpm), got none"},
      {"/cacophony/tempo", {120.0F, 1.0F}, ""},
      {"/cacophony/tempo", {0.0F}, "tempo 0 is outside 1..1000"},
      {"/cacophony/tempo", {-5.0F}, "tempo -5 is outside 1..1000"},
      {"/cacophony/tempo", {5000.0F}, "tempo 5000 is outside 1..1000"},
      {"/cacophony/tempo", {kNan}, "tempo nan is not finite"},
      {"/cacophony/tempo", {kInf}, "tempo inf is not finite"},
      {"/cacophony/start", {1.0F}, ""},
      {"/cacophony/meter",
       {std::int32_t{4}, std::int32_t{3}},
       "meter unit 3 is not 1, 2, 4, 8, 16 or 32"},
      {"/cacophony/meter", {std::int32_t{0}, std::int32_t{4}}, ""},
      {"/cacophony/meter", {std::int32_t{65}, std::int32_t{4}}, ""},
      {"/cacophony/meter", {4.5F, 4.0F}, ""},
      {"/cacophony/meter", {std::int32_t{4}}, ""},
      {"/cacophony/volume", {101.0F}, "volume 101 is outside 0..100"},
      {"/cacophony/volume", {-1.0F}, ""},
      {"/cacophony/volume", {kNan}, ""},
      {"/cacophony/register", {std::string("garbage")}, ""},
      {"/cacophony/register", {std::string("osc.tcp://127.0.0.1:9000/")}, ""},
      {"/cacophony/register", {std::int32_t{9000}}, ""},
      {"/cacophony/song", {std::string("")}, "a song's name is not empty"},
      {"/cacophony/song", {}, "/cacophony/song takes one string (a song's name), got none"},
      {"/cacophony/next", {1.0F}, ""},
  };
  for (const Bad& bad : cases) {
    SCOPED_TRACE(bad.path);
    replies_.clear();
    send(bad.path, bad.args);
    EXPECT_TRUE(until_reply().empty());
    linger();
    ASSERT_EQ(replies_.size(), 1U);
    EXPECT_EQ(replies_[0].path, "/cacophony/error");
    EXPECT_EQ(replies_[0].types, "s");
    EXPECT_FALSE(replies_[0].word.empty());
    if (!bad.why.empty()) {
      EXPECT_EQ(replies_[0].word, bad.why);
    }
  }
  EXPECT_EQ(remote_.clients(), 0U);
}

TEST(OscLimits, TheTempoRangeIsTheOneGiven) {
  OscRemote remote("127.0.0.1", 0, Limits{30, 300});
  lo_address target = lo_address_new("127.0.0.1", std::to_string(remote.port()).c_str());
  lo_send(target, "/cacophony/tempo", "f", 20.0F);
  lo_send(target, "/cacophony/tempo", "f", 300.0F);
  std::vector<Command> commands;
  const auto deadline = Clock::now() + kPatience;
  while (commands.empty() && Clock::now() < deadline) commands = remote.poll();
  ASSERT_EQ(commands.size(), 1U);
  EXPECT_DOUBLE_EQ(commands[0].value, 300);
  lo_address_free(target);
}

TEST_F(OscTest, RegisteredClientsAreNotified) {
  send("/cacophony/register", {client_url()});
  auto commands = until_command();
  ASSERT_EQ(commands.size(), 1U);
  EXPECT_EQ(commands[0].kind, Command::Kind::registered);
  EXPECT_EQ(commands[0].from, client_url());
  send("/cacophony/register", {client_url()});  // the same URL is kept once
  commands = until_command();
  ASSERT_EQ(commands.size(), 1U);
  EXPECT_EQ(remote_.clients(), 1U);
  remote_.notify(State{99, 4, 4, true, 5, 2, 0, "", 1});
  until_reply();
  ASSERT_EQ(replies_.size(), 1U);
  EXPECT_EQ(replies_[0].path, "/cacophony/state");
  EXPECT_EQ(replies_[0].numbers, (std::vector<double>{99, 4, 4, 1, 5, 2, 0}));
}

TEST_F(OscTest, OneClientTooManyReplacesTheOldest) {
  send("/cacophony/register", {client_url()});
  ASSERT_EQ(until_command().size(), 1U);
  for (std::size_t i = 0; i < OscRemote::kMaxClients; ++i) {
    send("/cacophony/register", {"osc.udp://127.0.0.1:" + std::to_string(40000 + i) + "/"});
    ASSERT_EQ(until_command().size(), 1U);
  }
  EXPECT_EQ(remote_.clients(), OscRemote::kMaxClients);
  remote_.notify(State{});
  linger();
  EXPECT_TRUE(replies_.empty());  // the client, registered first, was replaced
}

// One datagram of the fuzz: random bytes, a valid message cut short, or random type tags.
std::vector<char> random_datagram(std::mt19937& random) {
  const auto below = [&](std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(random);
  };
  std::vector<char> bytes;
  const std::size_t kind = below(3);
  if (kind == 1) {
    lo_message message = build({static_cast<float>(below(2000))});
    std::size_t size = 0;
    void* data = lo_message_serialise(message, "/cacophony/tempo", nullptr, &size);
    bytes.assign(static_cast<char*>(data), static_cast<char*>(data) + size);
    bytes.resize(below(size + 1));
    std::free(data);
    lo_message_free(message);
    return bytes;
  }
  if (kind == 2) {
    constexpr std::string_view kPath = "/cacophony/meter\0\0\0\0,"sv;
    bytes.assign(kPath.begin(), kPath.end());
    constexpr std::string_view kTags = "ifsbhtdScrmTFNI[]xyz";
    for (std::size_t i = below(8); i > 0; --i) bytes.push_back(kTags[below(kTags.size())]);
    bytes.resize(bytes.size() + 4 - bytes.size() % 4, '\0');
  }
  for (std::size_t i = below(200); i > 0; --i) bytes.push_back(static_cast<char>(below(256)));
  return bytes;
}

TEST_F(OscTest, RandomDatagramsBreakNothing) {
  const int raw = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(raw, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<std::uint16_t>(remote_.port()));
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::mt19937 random(20240611);
  const auto started = Clock::now();
  for (int i = 0; i < 10000; ++i) {
    const std::vector<char> bytes = random_datagram(random);
    sendto(raw, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
    if (i % 32 == 0) remote_.poll();
  }
  std::array<char, 512> buffer{};
  int answers = 0;  // the remote's errors to the raw socket: it did read the datagrams
  while (recv(raw, buffer.data(), buffer.size(), MSG_DONTWAIT) > 0) ++answers;
  close(raw);
  EXPECT_GT(answers, 0);
  EXPECT_LT(Clock::now() - started, std::chrono::seconds(10));
  send("/cacophony/tempo", {140.0F});
  const auto commands = pump([](const auto& seen) {
    return !seen.empty() && seen.back().kind == Command::Kind::tempo && seen.back().value == 140;
  });
  ASSERT_FALSE(commands.empty());
  EXPECT_DOUBLE_EQ(commands.back().value, 140);
}

}  // namespace
}  // namespace cacophony::remote
