#pragma once
// Test helper: the JSON a report page embeds in <script type="application/json" id="ID">.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace cacophony::test_support {

inline nlohmann::json page_data(const std::string& page, const std::string& id) {
  const std::string open = "<script type=\"application/json\" id=\"" + id + "\">";
  const auto from = page.find(open);
  EXPECT_NE(from, std::string::npos);
  const auto to = page.find("</script>", from);
  return nlohmann::json::parse(page.substr(from + open.size(), to - from - open.size()));
}

}  // namespace cacophony::test_support
