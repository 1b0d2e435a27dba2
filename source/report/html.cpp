#include "html.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace cacophony::html {

std::string fill(std::string_view page, Fields fields) {
  std::string out;
  std::size_t from = 0;
  for (auto at = page.find("{{"); at != std::string_view::npos; at = page.find("{{", from)) {
    const auto close = page.find("}}", at);
    const std::string_view name = page.substr(at + 2, close - at - 2);
    const auto field =
        std::find_if(fields.begin(), fields.end(), [&](const auto& f) { return f.first == name; });
    if (close == std::string_view::npos || field == fields.end())
      throw std::logic_error(fmt::format("report page: no value for '{}'", name));
    out.append(page, from, at - from);
    out += field->second;
    from = close + 2;
  }
  out.append(page, from);
  return out;
}

std::string replace_each(std::string_view text, Replacements replacements) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const auto r = std::find_if(replacements.begin(), replacements.end(),
                                [c](const auto& pair) { return pair.first == c; });
    if (r == replacements.end())
      out += c;
    else
      out += r->second;
  }
  return out;
}

std::string script_json(const nlohmann::json& value) {
  return replace_each(value.dump(-1, ' ', true),
                      {{'<', "\\u003c"}, {'>', "\\u003e"}, {'&', "\\u0026"}});
}

}  // namespace cacophony::html
