// Structured logs: one JSON object per line on stderr, for the processes that
// serve (stdout carries the machine-readable address lines scripts read).
//
//   log::Info("serve", "ready", {{"endpoint", endpoint}});
//   log::Warn("command", "command refused",
//             {{"request_id", id}, {"rpc", "MakePledge"}, {"code", "NOT_FOUND"}});
//
// Each line has time (UTC, RFC 3339 with microseconds), level, component and
// message, then the fields given. Never pass a secret (a bearer token, a key)
// or a member's personal details as a field.
//
// Thread safety: lines from any thread are written whole, one at a time.
#pragma once

#include <initializer_list>
#include <string>
#include <utility>

namespace vanguard::log {

enum class Level { kInfo, kWarning, kError };

using Field = std::pair<std::string, std::string>;

void Write(Level level, const std::string& component, const std::string& message,
           std::initializer_list<Field> fields = {});

inline void Info(const std::string& component, const std::string& message,
                 std::initializer_list<Field> fields = {}) {
  Write(Level::kInfo, component, message, fields);
}
inline void Warn(const std::string& component, const std::string& message,
                 std::initializer_list<Field> fields = {}) {
  Write(Level::kWarning, component, message, fields);
}
inline void Error(const std::string& component, const std::string& message,
                  std::initializer_list<Field> fields = {}) {
  Write(Level::kError, component, message, fields);
}

// `text` as a JSON string literal, quotes included; invalid UTF-8 becomes U+FFFD.
std::string JsonString(const std::string& text);

// The line Write would print at `time`, without the newline.
std::string Line(const std::string& time, Level level, const std::string& component,
                 const std::string& message, std::initializer_list<Field> fields);

}  // namespace vanguard::log
