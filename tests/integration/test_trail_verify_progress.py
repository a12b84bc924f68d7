"""`kura trail verify` shows its progress on stderr: with --progress (or on
a terminal) a line per tenth of the bytes read, ending at 100%; piped
without --progress, nothing; the verdict on stdout either way."""
import re
import subprocess

import conftest


def test_trail_verify_reports_its_progress(kura_factory):
    server = kura_factory()
    sts = server.client("sts")
    for _ in range(20):
        sts.get_caller_identity()
    server.stop()
    args = [conftest.KURA_BIN, "trail", "verify", "--data-dir", server.data_dir]

    shown = subprocess.run(args + ["--progress"], capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0, shown.stdout + shown.stderr
    lines = shown.stderr.splitlines()
    assert lines, shown.stderr
    pattern = re.compile(r"verifying the trail: ([\d.]+) of ([\d.]+) MB \((\d+)%\), [\d.]+ s")
    percents = []
    for line in lines:
        match = pattern.fullmatch(line)
        assert match, line
        percents.append(int(match.group(3)))
    assert percents == sorted(percents) and percents[-1] == 100, percents
    assert "intact" in shown.stdout

    quiet = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert quiet.returncode == 0 and quiet.stderr == "" and "intact" in quiet.stdout
