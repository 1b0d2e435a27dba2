#pragma once
// What the report pages share to fill their embedded templates (private to the report layer):
// - fill(): each {{name}} of a template replaced by its field's value; the values are not
//   scanned, so a value that holds "{{" stays as it is; a name without a field throws
//   std::logic_error (a bug in the page's code, not in its data);
// - replace_each(): `text` with each character that has a replacement replaced, the rest kept;
// - script_json(): JSON that can sit inside <script type="application/json">: no '<', '>' or
//   '&' appear raw, so no text in it can close the element or be read as markup.

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

namespace cacophony::html {

using Fields = std::initializer_list<std::pair<std::string_view, std::string_view>>;

std::string fill(std::string_view page, Fields fields);

using Replacements = std::initializer_list<std::pair<char, std::string_view>>;

std::string replace_each(std::string_view text, Replacements replacements);

std::string script_json(const nlohmann::json& value);

}  // namespace cacophony::html
