"""The slowest test files first, so that `make test`'s workers (pytest-xdist, --dist loadfile) finish together.

xdist hands out whole files, by default those with the most tests first: the slow real-server drills hold one or
two tests each, so they came last, and a worker could sit idle while the other ran out a minute-long drill it had
queued. Here the files are ordered by their measured seconds (tests/durations.json), longest first, and xdist's own
reordering is turned off, so the quick files fill in the end of the run. A file missing from the list (a new one)
counts as a median file. Each file's tests keep their order and stay together; nothing is skipped or changed.

Refresh the list after a full run: `make test ARGS="--durations=0 -q" > /tmp/suite.log; .venv/bin/python -m
tests.ordering /tmp/suite.log`.
"""
from __future__ import annotations

import json
import re
import statistics
import sys
from collections import defaultdict
from pathlib import Path

DURATIONS = Path(__file__).with_name("durations.json")
LINE = re.compile(r"^\s*([0-9.]+)s (?:call|setup|teardown)\s+(\S+?)::")


def pytest_configure(config) -> None:
    if hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False  # xdist's "most tests first", which this order replaces


def pytest_collection_modifyitems(session, config, items) -> None:
    if not DURATIONS.exists():
        return
    seconds: dict[str, float] = json.loads(DURATIONS.read_text())
    unknown = statistics.median(seconds.values()) if seconds else 0.0
    # A stable sort on the file's seconds: the files stay contiguous, their tests in order.
    items.sort(key=lambda item: -seconds.get(item.nodeid.split("::", 1)[0], unknown))


def durations_from_log(text: str) -> dict[str, float]:
    """Seconds per test file from pytest's --durations report (setup, call and teardown added up)."""
    files: dict[str, float] = defaultdict(float)
    for line in text.splitlines():
        if match := LINE.match(line):
            files[match.group(2)] += float(match.group(1))
    return {path: round(total, 1) for path, total in sorted(files.items(), key=lambda kv: -kv[1])}


if __name__ == "__main__":
    found = durations_from_log(Path(sys.argv[1]).read_text())
    if not found:
        sys.exit("no --durations lines in that log")
    DURATIONS.write_text(json.dumps(found, indent=0) + "\n")
    print(f"{len(found)} files, {sum(found.values()):.0f} s in all, written to {DURATIONS}")
