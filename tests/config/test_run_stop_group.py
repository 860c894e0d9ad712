"""`make run` stops a child that will not stop (a worker wedged on a Redis that is gone) with everything that
child started: Dramatiq's worker and metrics processes were left running, orphaned, when only its main process
was killed."""
from __future__ import annotations

import os
import signal
import sys
import time

from config import run

# Ignores Ctrl-C and starts another process that ignores it too (as a wedged Dramatiq main and its worker);
# writes that one's pid to the file named by its argument.
STUBBORN = ("import signal, subprocess, sys, time; signal.signal(signal.SIGINT, signal.SIG_IGN); "
            "child = subprocess.Popen([sys.executable, '-c', 'import signal, time; "
            "signal.signal(signal.SIGINT, signal.SIG_IGN); time.sleep(120)']); "
            "open(sys.argv[1], 'w').write(str(child.pid)); time.sleep(120)")


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has ended, only not yet reaped
    except FileNotFoundError:
        return False


def _pid_in(path, timeout: float = 30) -> int:
    deadline = time.monotonic() + timeout
    while not (path.exists() and path.read_text()):
        assert time.monotonic() < deadline, "the child never started its own"
        time.sleep(0.05)
    return int(path.read_text())


def test_it_kills_a_stubborn_child_with_the_processes_it_started(tmp_path):
    previous = signal.getsignal(signal.SIGINT)
    child = run.start([sys.executable, "-c", STUBBORN, str(tmp_path / "pid")])
    grandchild = _pid_in(tmp_path / "pid")
    try:
        assert os.getpgid(child.pid) == child.pid != os.getpgid(0)  # a process group of its own
        started = time.monotonic()
        run._stop([child], timeout=1)
        assert child.returncode == -signal.SIGKILL and time.monotonic() - started < 10
        deadline = time.monotonic() + 5
        while _alive(grandchild) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(grandchild), "the process the child started outlived it"
    finally:
        signal.signal(signal.SIGINT, previous)  # _stop ignores a second Ctrl-C from then on
        for pid in (child.pid, grandchild):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
