#pragma once
// Whether Kura itself is short of file descriptors (EMFILE: its own limit;
// ENFILE: the system's). A probe of an engine that fails for that reason
// says nothing about the engine: the supervisors judge a failed probe
// "unknown" when a shortage was noted while it ran, or is felt now, instead
// of taking it for a dead or hung engine (a restart, a failover or an
// "instance down" event would only make matters worse). Process-wide and
// thread-safe: the places that run out (the HTTP acceptor, a probe's
// socket, a tool's pipes) know nothing of the supervisors.
#include <cstdint>
#include <string>

namespace kura {

// EMFILE or ENFILE.
bool isDescriptorShortage(int error);
// Counts a failure for lack of descriptors, if `error` is one.
void noteDescriptorError(int error);
// Shortages noted since the process started: a mark to compare against.
uint64_t descriptorShortages();
// Tries to take one descriptor now (and gives it back): true, and noted,
// when it cannot for lack of descriptors.
bool descriptorsShortNow();

enum class ProbeVerdict { kUp, kDown, kUnknown };
// What a probe taken after `mark` (descriptorShortages() before it) tells:
// up if it answered; else unknown if descriptors ran short meanwhile or do
// now; else down.
ProbeVerdict judgeProbe(bool answered, uint64_t mark);
// Logs that `what` was left as it is, its probe unknown for lack of
// descriptors: at most once per 10 s, with the count of those left out.
void logProbeUnknown(const std::string& what);

}  // namespace kura
