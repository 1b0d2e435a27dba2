// A practice take's JSON and report page, checked as data (the page in a browser is
// tests/page/practice.test.mjs).

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "cacophony/practice/practice.h"
#include "cacophony/report/practice_page.h"
#include "support/page_data.h"

namespace cacophony {
namespace {

using nlohmann::json;
using practice::Position;

// At 1000 frames a second a frame is a millisecond.
Position at(std::int64_t ms, std::int64_t bar, int beat, int sub = 0, bool muted = false) {
  return {.frame = ms, .bar = bar, .beat = beat, .sub = sub, .muted = muted};
}

practice::Matched hit(const Position& p, double offset_ms) {
  return {.position = p, .hit_frame = p.frame + std::llround(offset_ms), .offset_ms = offset_ms};
}

// Two bars of 4/4 at 120 bpm, an eighth after the first beat, the second bar muted: five
// hits, two missed positions and two extra hits.
practice::Result take() {
  practice::Result r;
  r.rate = 1000;
  r.grid = {at(0, 1, 1),
            at(250, 1, 1, 1),
            at(500, 1, 2),
            at(1000, 1, 3),
            at(1500, 1, 4),
            at(2000, 2, 1, 0, true),
            at(2500, 2, 2, 0, true),
            at(3000, 2, 3, 0, true),
            at(3500, 2, 4, 0, true)};
  r.hits = {hit(r.grid[0], 4),  hit(r.grid[1], -12), hit(r.grid[2], 30), hit(r.grid[3], -8),
            hit(r.grid[5], 20), hit(r.grid[6], -3),  hit(r.grid[8], 40)};
  r.missed = {r.grid[4], r.grid[7]};
  r.extra = {{.frame = 1200, .time_ms = 1200}, {.frame = 2700, .time_ms = 2700}};
  r.overall = {.hits = 7,
               .missed = 2,
               .extra = 2,
               .mean_offset_ms = 10.14,
               .sd_ms = 19.6,
               .within_10ms = 3.0 / 7,
               .within_25ms = 5.0 / 7};
  r.bars = {
      {.bar = 1, .figures = {.hits = 4, .missed = 1, .extra = 1, .mean_offset_ms = 3.5}},
      {.bar = 2,
       .muted = true,
       .figures = {
           .hits = 3, .missed = 1, .extra = 1, .mean_offset_ms = 19, .within_10ms = 1.0 / 3}}};
  r.player_bpm = 119.5;
  r.grid_bpm = 120;
  return r;
}

// Four bars of two beats at 120 bpm, no bar muted: bars 1-2 on the beat, bars 3-4 rushed by
// 20 ms, at the click's tempo throughout.
practice::Result shaped() {
  practice::Result r;
  r.rate = 1000;
  r.grid_bpm = 120;
  const double offsets[] = {1, -1, 1, -1, -20, -20, -20, -20};
  for (int k = 0; k < 8; ++k) {
    r.grid.push_back(at(500 * k, k / 2 + 1, k % 2 + 1));
    r.hits.push_back(hit(r.grid.back(), offsets[k]));
  }
  for (std::int64_t bar = 1; bar <= 4; ++bar)
    r.bars.push_back(
        {.bar = bar,
         .muted = false,
         .figures = {
             .hits = 2, .mean_offset_ms = bar <= 2 ? 0.0 : -20.0, .sd_ms = bar <= 2 ? 1.0 : 0.0}});
  r.overall = {.hits = 8, .mean_offset_ms = -10, .sd_ms = 10};
  return r;
}

json page_data(const std::string& page) {
  return test_support::page_data(page, "practice-data");
}

TEST(PracticeJson, HoldsTheHitsMissesExtrasAndFigures) {
  const json data = json::parse(practice_json(take()));
  ASSERT_EQ(data.at("hits").size(), 7u);
  const json& second = data["hits"][1];
  EXPECT_EQ(second.at("bar"), 1);
  EXPECT_EQ(second.at("beat"), 1);
  EXPECT_EQ(second.at("sub"), 1);
  EXPECT_DOUBLE_EQ(second.at("offset_ms").get<double>(), -12);
  EXPECT_DOUBLE_EQ(second.at("time_ms").get<double>(), 250);
  EXPECT_DOUBLE_EQ(second.at("hit_ms").get<double>(), 238);
  EXPECT_EQ(data["hits"][4].at("muted"), true);
  EXPECT_EQ(data.at("missed"), json::parse(R"([{"bar":1,"beat":4,"sub":0,"time_ms":1500.0,
      "muted":false,"voice":0},{"bar":2,"beat":3,"sub":0,"time_ms":3000.0,"muted":true,
      "voice":0}])"));
  EXPECT_EQ(data.at("extra"), json::parse(R"([{"time_ms":1200.0},{"time_ms":2700.0}])"));
  EXPECT_EQ(data.at("grid").size(), 9u);

  const json& s = data.at("summary");
  EXPECT_DOUBLE_EQ(s.at("mean_offset_ms").get<double>(), 10.14);
  EXPECT_DOUBLE_EQ(s.at("sd_ms").get<double>(), 19.6);
  EXPECT_DOUBLE_EQ(s.at("within_10ms").get<double>(), 3.0 / 7);
  EXPECT_DOUBLE_EQ(s.at("within_25ms").get<double>(), 5.0 / 7);
  EXPECT_DOUBLE_EQ(s.at("player_bpm").get<double>(), 119.5);
  EXPECT_TRUE(s.at("muted_bpm").is_null());
  EXPECT_EQ(s.at("missed"), 2);
  EXPECT_EQ(s.at("extra"), 2);
  EXPECT_DOUBLE_EQ(data.at("grid_bpm").get<double>(), 120);
  EXPECT_EQ(data.at("rate"), 1000);
}

TEST(PracticeJson, BarsSpanTheirPositionsAndSayWhichAreMuted) {
  const json bars = json::parse(practice_json(take())).at("bars");
  ASSERT_EQ(bars.size(), 2u);
  EXPECT_EQ(bars[0].at("muted"), false);
  EXPECT_EQ(bars[1].at("muted"), true);
  EXPECT_DOUBLE_EQ(bars[0].at("start_ms").get<double>(), 0);
  EXPECT_DOUBLE_EQ(bars[0].at("end_ms").get<double>(), 2000);
  EXPECT_DOUBLE_EQ(bars[1].at("start_ms").get<double>(), 2000);
  EXPECT_DOUBLE_EQ(bars[1].at("end_ms").get<double>(), 4000);  // the last beat lasts a beat
  EXPECT_EQ(bars[1].at("hits"), 3);
  EXPECT_EQ(bars[1].at("missed"), 1);
  EXPECT_DOUBLE_EQ(bars[1].at("mean_offset_ms").get<double>(), 19);
  EXPECT_DOUBLE_EQ(bars[1].at("within_10ms").get<double>(), 1.0 / 3);
}

TEST(PracticeJson, IsNaNFreeWithNullWhereAbsent) {
  practice::Result r = take();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  r.hits.clear();
  r.overall = {.hits = 0, .missed = 9, .mean_offset_ms = nan, .sd_ms = nan};
  r.player_bpm = nan;
  r.extra = {{.frame = 5, .time_ms = nan}};
  r.bars.push_back({.bar = 7, .figures = {}});  // a bar the grid does not hold, without hits
  const std::string text = practice_json(r);
  EXPECT_EQ(text.find("NaN"), std::string::npos);
  const json data = json::parse(text);
  for (const char* key : {"mean_offset_ms", "sd_ms", "within_10ms", "within_25ms", "player_bpm"})
    EXPECT_TRUE(data["summary"].at(key).is_null()) << key;
  EXPECT_TRUE(data["extra"][0].at("time_ms").is_null());
  EXPECT_TRUE(data["bars"][2].at("start_ms").is_null());
  EXPECT_TRUE(data["bars"][2].at("mean_offset_ms").is_null()) << "a mean over no hits";
  EXPECT_EQ(page_data(practice_page(r, {})), data);
}

TEST(PracticeJson, HoldsThePhasesAndTheTempoWithTheirWords) {
  const json data = json::parse(practice_json(shaped()));
  EXPECT_EQ(data.at("phases"), json::parse(R"J([
      {"first_bar":1,"last_bar":2,"lean":"steady","mean_offset_ms":0.0,"hits":4,
       "words":"bars 1–2 steady (+0.0 ms)"
},
      {"first_bar":3,"last_bar":4,"lean":"rushed","mean_offset_ms":-20.0,"hits":4,
       "words":"bars 3–4 rushed by 20 ms"}])J"));
  ASSERT_EQ(data.at("tempo").size(), 4u);
  EXPECT_EQ(data["tempo"][0].at("bar"), 1);
  EXPECT_NEAR(data["tempo"][0].at("bpm").get<double>(), 120 * 500.0 / 498, 1e-9);
  EXPECT_EQ(data["tempo"][0].at("hits"), 2);
  EXPECT_NEAR(data["tempo"][3].at("bpm").get<double>(), 120, 1e-9);
  ASSERT_EQ(data.at("tempo_phases").size(), 1u);
  EXPECT_EQ(data["tempo_phases"][0].at("pace"), "held");
  EXPECT_EQ(data["tempo_phases"][0].at("first_bar"), 1);
  EXPECT_EQ(data["tempo_phases"][0].at("last_bar"), 4);
  EXPECT_EQ(data.at("tempo_words"), json::parse(R"(["held 120 bpm throughout"])"));
}

TEST(PracticeJson, RefusesARateThatIsNotPositive) {
  practice::Result r = take();
  r.rate = 0;
  EXPECT_THROW(practice_json(r), std::invalid_argument);
}

TEST(PracticePage, IsSelfContainedAndHoldsTheData) {
  const std::string page = practice_page(take(), {.take = "take 1", .rhythm = "4/4 120 x2"});
  EXPECT_EQ(page_data(page), json::parse(practice_json(take())));
  // Nothing that would fetch: no address with a scheme or a protocol-relative one.
  for (const char* remote : {"http:", "https:", "=\"//", "='//", "=//"})
    EXPECT_EQ(page.find(remote), std::string::npos) << remote;
  EXPECT_EQ(page.find("<link"), std::string::npos);
  EXPECT_EQ(page.find("<script src"), std::string::npos);
  EXPECT_EQ(page.find("{{"), std::string::npos) << "a field left unfilled";
  // The style and the script are inlined, the summary written without the script.
  EXPECT_NE(page.find("rect.muted"), std::string::npos);
  EXPECT_NE(page.find("function drawTimeline"), std::string::npos);
  EXPECT_NE(page.find("<th>on average</th><td>10.1 ms late</td>"), std::string::npos);
  EXPECT_NE(page.find("<th>steadiness</th><td>±19.6 ms</td>"), std::string::npos);
  EXPECT_EQ(page.find("<th>sd</th>"), std::string::npos);
  EXPECT_NE(page.find("<td>43 %</td>"), std::string::npos);
  EXPECT_NE(page.find("<td>119.5 bpm</td>"), std::string::npos);
  EXPECT_NE(page.find("<td>7 of 9</td>"), std::string::npos);
  EXPECT_NE(page.find("4/4 120 x2"), std::string::npos);
}

TEST(PracticePage, SaysTheTakeAtAGlanceAndShowsTheMutedKeyOnlyWhenABarWasMuted) {
  const std::string plain = practice_page(shaped(), {});
  EXPECT_NE(plain.find("<li class=\"phase\">bars 1–2 steady (+0.0 ms)</li>\n"
                       "<li class=\"phase\">bars 3–4 rushed by 20 ms</li>\n"
                       "<li class=\"tempo\">held 120 bpm throughout</li>"),
            std::string::npos);
  EXPECT_EQ(plain.find("id=\"muted-legend\""), std::string::npos);
  EXPECT_EQ(plain.find("Shaded bars were"), std::string::npos);
  const std::string muted = practice_page(take(), {});
  EXPECT_NE(muted.find("<span id=\"muted-legend\">Shaded bars were"), std::string::npos);
  practice::Result none = shaped();
  none.hits.clear();
  for (practice::BarFigures& b : none.bars) b.figures = {};
  EXPECT_NE(practice_page(none, {}).find("<li>no hits to read</li>"), std::string::npos);
}

TEST(PracticePage, EscapesTheTakesNameAndTheRhythm) {
  const std::string nasty = "</script><script>alert(\"x\")</script> & 'Tom's' <marquee>";
  const std::string page = practice_page(take(), {.take = nasty, .rhythm = "<i>4/4</i> & \"x\""});
  EXPECT_EQ(page.find("<script>alert"), std::string::npos);
  EXPECT_EQ(page.find("<marquee>"), std::string::npos);
  EXPECT_EQ(page.find("<i>"), std::string::npos);
  EXPECT_NE(page.find("&lt;/script&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; "
                      "&#39;Tom&#39;s&#39; &lt;marquee&gt;"),
            std::string::npos);
  EXPECT_NE(page.find("&lt;i&gt;4/4&lt;/i&gt; &amp; &quot;x&quot;"), std::string::npos);
  EXPECT_EQ(page_data(page), json::parse(practice_json(take())));
}

}  // namespace
}  // namespace cacophony
