"""Importing the settings has no side effects: no process started (the embedded Redis included), no socket opened.

Each import runs in a fresh interpreter with an audit hook (PEP 578) that records every way Python starts a
process or opens a connection or a listening socket; `make run` and manage.py start the embedded Redis explicitly.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[2]

IMPORT = """
import json, sys

WATCHED = {"subprocess.Popen", "os.fork", "os.forkpty", "os.posix_spawn", "os.spawn", "os.system", "os.exec",
           "socket.bind", "socket.connect", "socket.sendto"}
seen = []
sys.addaudithook(lambda event, args: seen.append([event, repr(args)[:200]]) if event in WATCHED else None)
import importlib
importlib.import_module(sys.argv[1])
print(json.dumps(seen))
"""


def _import(module: str, tmp_path, **env: str) -> list:
    clean = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    result = subprocess.run([sys.executable, "-c", IMPORT, module], cwd=ROOT, capture_output=True, text=True,
                            timeout=60, env={**clean, "VAR_DIR": str(tmp_path), **env})
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_it_starts_nothing_when_development_settings_are_imported(var_dir):
    events = _import("config.settings", var_dir, DJANGO_ENV="development")
    assert events == [], "importing config.settings started a process or opened a socket"
    assert not (var_dir / "redis").exists(), "importing config.settings touched the embedded Redis's folder"


def test_it_starts_nothing_when_the_test_settings_are_imported(tmp_path):
    # Nothing listens on this port: settings that connected would show it in the events.
    events = _import("config.settings_test", tmp_path, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    assert events == [], "importing config.settings_test started a process or opened a socket"
