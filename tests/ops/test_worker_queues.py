"""Every way of starting a worker consumes every queue: a worker deaf to gpu-priority would strand premium designs."""
from __future__ import annotations

import re
import shlex

import dramatiq

from designs import actors
from tests.ops.conftest import REPO
from tests.ops.test_container import _entrypoint


def _consumes(command: str, queues: set[str]) -> bool:
    """rundramatiq without --queues/-Q consumes every declared queue; with it, only those listed."""
    words = shlex.split(command.replace('"', "").replace(",", " "))
    flags = [i for i, word in enumerate(words) if word in ("--queues", "-Q")]
    if not flags:
        return True
    listed = set()
    for word in words[flags[0] + 1:]:
        if word.startswith("-"):
            break
        listed.add(word)
    return queues <= listed


def test_every_worker_command_consumes_every_design_queue(tmp_path):
    queues = {actor.queue_name for actor in vars(actors).values() if isinstance(actor, dramatiq.Actor)}
    assert {"gpu-priority", "gpu", "default"} <= queues
    commands = {
        "docker-entrypoint.sh worker": _entrypoint(tmp_path, "worker"),
        "make run (config/run.py)": re.search(r'\[sys\.executable, "manage\.py", "rundramatiq".*?\]',
                                              (REPO / "config" / "run.py").read_text(), re.S).group(0),
        "README": re.search(r"`(manage\.py rundramatiq[^`]*)`", (REPO / "README.md").read_text()).group(1),
    }
    for where, command in commands.items():
        assert "rundramatiq" in command, where
        assert _consumes(command, queues), f"{where}: {command}"
