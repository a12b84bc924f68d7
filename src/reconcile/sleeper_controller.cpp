#include "reconcile/sleeper_controller.h"

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string_view>

namespace kura {
namespace {

namespace fs = std::filesystem;

constexpr std::array<std::string_view, 5> kPath = {"creating", "step-1", "step-2", "step-3", "available"};

// Written whole or not at all: a crash leaves no half marker behind.
void writeMarker(const fs::path& marker, const std::string& content) {
  fs::path temporary = marker;
  temporary += ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << content;
    out.flush();
    if (!out) throw std::runtime_error("cannot write " + temporary.string());
  }
  fs::rename(temporary, marker);
}

void appendLine(const fs::path& file, const std::string& line) {
  std::ofstream out(file, std::ios::app);
  out << line << '\n';
  out.flush();
  if (!out) throw std::runtime_error("cannot append to " + file.string());
}

}  // namespace

StepOutcome SleeperController::step(Resource& resource, ReconcileContext& ctx) {
  if (resource.goal == "deleted") {
    resource.status = "deleted";
    ctx.emitEvent("Test sleeper deleted", {"deletion"});
    return StepOutcome::done();
  }
  if (resource.goal != "available") {
    ctx.note("a test-sleeper can only become available or deleted, not " + resource.goal);
    return StepOutcome::failed();
  }
  auto current = std::find(kPath.begin(), kPath.end(), resource.status);
  if (current == kPath.end()) {
    ctx.note("unknown status " + resource.status);
    return StepOutcome::failed();
  }
  if (*current == "available") return StepOutcome::done();
  if (!resource.spec.contains("dir") || !resource.spec["dir"].is_string()) {
    ctx.note("spec.dir is missing");
    return StepOutcome::failed();
  }

  const fs::path dir = resource.spec["dir"].get<std::string>();
  const auto stepMillis = std::chrono::milliseconds(resource.spec.value("stepMillis", int64_t{0}));
  const std::string next(*(current + 1));
  const fs::path marker = dir / (next + ".done");

  if (fs::exists(marker)) {
    ctx.note("marker " + marker.filename().string() + " already there");
  } else {
    if (!ctx.sleepFor(stepMillis)) return StepOutcome::retryAfter(std::chrono::milliseconds(0));  // stopping
    fs::create_directories(dir);
    writeMarker(marker, next + "\n");
    appendLine(dir / "steps.log", next);
    ctx.note("wrote marker " + marker.filename().string());
  }
  resource.status = next;
  resource.state["completedSteps"] = static_cast<int>(current - kPath.begin()) + 1;
  if (next == "available") {
    ctx.emitEvent("Test sleeper available", {"creation"});
    return StepOutcome::done();
  }
  return StepOutcome::progress();
}

}  // namespace kura
