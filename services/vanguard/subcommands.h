// The subcommands of the `vanguard` binary. main() parses flags and calls one.
#pragma once

#include <functional>

namespace vanguard {

// Blocks until SIGTERM or SIGINT arrives and returns the signal's number.
using SignalWaiter = std::function<int()>;

// Runs librdkafka's mock cluster with the events topic until a signal.
int RunDevKafka(const SignalWaiter& wait_for_signal);

// Serves the command services (organisations, members, pledges) until a signal.
int RunCommand(const SignalWaiter& wait_for_signal);

// Everything in one process: commands, projector, views and audit, one port.
int RunServe(const SignalWaiter& wait_for_signal);
// Follows the log into the views and serves them (ViewService) until a signal.
int RunProjector(const SignalWaiter& wait_for_signal);
// Rebuilds the views from offset zero (or as of an instant) into --views_dir.
int RunReplay();
// Walks the whole log, checks every hash chain, prints each break; 1 if any.
int RunVerify();

// Builds the seed township through the command services on a fresh log,
// verifies it and prints what the log holds.
int RunDemo(const SignalWaiter& wait_for_signal);

}  // namespace vanguard
