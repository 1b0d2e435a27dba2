#pragma once
// What someone typed, made safe to show on a terminal: a byte that could drive it (a control
// byte, DEL) appears as \xNN. Whatever was echoed can then neither move the cursor nor clear the
// screen. Thread-safe (a pure function).

#include <string>
#include <string_view>

namespace cacophony::cli {

enum class Keep {
  utf8,   // bytes from 0x80 up stay: an argument or a path is the user's own text
  ascii,  // they are shown as \xNN too: a line read raw from stdin may not be text at all
};

std::string escaped(std::string_view text, Keep keep);

}  // namespace cacophony::cli
