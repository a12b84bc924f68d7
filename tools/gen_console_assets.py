#!/usr/bin/env python3
"""Embeds the web console's files (src/console/assets) in the binary.

Writes a C++ source holding each file's name, content type and bytes, as
src/console/console_assets.h declares them: the console needs no files at
run time, and its pages are the ones built with the server.
"""
import os
import sys

TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
}


def main():
    out_path, files = sys.argv[1], sorted(sys.argv[2:], key=os.path.basename)
    lines = ['#include "console/console_assets.h"', "", "namespace kura::console {", "namespace {", ""]
    entries = []
    for index, path in enumerate(files):
        name = os.path.basename(path)
        kind = TYPES.get(os.path.splitext(name)[1])
        if kind is None:
            sys.exit(f"gen_console_assets: no content type for {name}")
        with open(path, "rb") as f:
            data = f.read()
        body = ",".join(str(b) for b in data)
        lines.append(f"constexpr unsigned char kFile{index}[] = {{{body}}};")
        entries.append(f'  {{"{name}", "{kind}", {{reinterpret_cast<const char*>(kFile{index}), {len(data)}}}}},')
    lines += ["", "const ConsoleAsset kAssets[] = {"] + entries + ["};", "", "}  // namespace", ""]
    lines += ["const ConsoleAsset* findConsoleAsset(std::string_view name) {",
              "  for (const auto& asset : kAssets) {",
              "    if (asset.name == name) return &asset;",
              "  }",
              "  return nullptr;",
              "}", "", "}  // namespace kura::console", ""]
    text = "\n".join(lines)
    # Written only when it changed: an unchanged page rebuilds nothing.
    if os.path.exists(out_path):
        with open(out_path, encoding="utf-8") as f:
            if f.read() == text:
                return
    with open(out_path, "w", encoding="utf-8") as f:
        f.write(text)


if __name__ == "__main__":
    main()
