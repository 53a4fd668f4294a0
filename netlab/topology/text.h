// Small text helpers shared by the loader and the validator for messages.
// Pure; no state.
#pragma once

#include <string>
#include <string_view>

namespace netlab::topology {

// `s` in double quotes, with quotes, backslashes and control characters
// escaped, so a hostile or mistyped name can never garble a terminal.
std::string quote(std::string_view s);

// A number as a person writes it: "1500", "0.5", "1e+20".
std::string format_number(double v);

}  // namespace netlab::topology
