"""tests.servers.Process, the one way the tests run a real process: a failure to start says what the process
printed, and a stop takes the whole group down even when it ignores SIGTERM."""
from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from tests.servers import Process, free_port


def test_it_shows_the_output_of_a_process_that_exits_before_it_answers():
    process = Process([sys.executable, "-c", "print('cannot bind: address in use'); raise SystemExit(3)"],
                      name="doomed").start()

    with pytest.raises(RuntimeError) as failure:
        process.wait_for_port(free_port(), timeout=30)

    assert "doomed exited with 3" in str(failure.value)
    assert "cannot bind: address in use" in str(failure.value)


def test_it_gives_up_after_the_timeout_with_the_output(tmp_path):
    process = Process([sys.executable, "-c", "print('still loading', flush=True); import time; time.sleep(60)"],
                      name="slow").start()
    try:
        started = time.monotonic()
        with pytest.raises(RuntimeError) as failure:
            process.wait_for_url(f"http://127.0.0.1:{free_port()}/ready", timeout=1)
        assert time.monotonic() - started < 10
        assert "slow: no 200 from" in str(failure.value)
        process.wait_until(lambda: "still loading" in process.log_tail(), what="its line", timeout=10)
    finally:
        process.stop()


def _gone(pid: int) -> bool:
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().split(")")[-1].split()[0] == "Z"  # a zombie runs nothing
    except FileNotFoundError:
        return True


def test_it_kills_the_whole_group_when_sigterm_is_ignored():
    # sh and its sleep both ignore SIGTERM (an ignored signal stays ignored across fork and exec).
    process = Process(["sh", "-c", "trap '' TERM; sleep 60 & echo child $!; wait"], name="stubborn",
                      stop_timeout=0.5).start()
    process.wait_until(lambda: "child " in process.log_tail(), what="its child's pid", timeout=10)
    child = int(process.log_tail().split("child ")[-1].split()[0])

    process.stop()

    assert not process.alive()
    deadline = time.monotonic() + 5
    while not _gone(child):
        assert time.monotonic() < deadline, "the child outlived the stop"
        time.sleep(0.05)
