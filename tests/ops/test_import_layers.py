"""`python -m tools.imports` passes on the tree, and fails on each kind of violation planted in a copy of it."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ops.conftest import REPO
from tools.imports import CHECKED, main


def _run() -> subprocess.CompletedProcess:
    """As anyone runs it: the module from the repository root, on the repository."""
    return subprocess.run([sys.executable, "-m", "tools.imports"], cwd=REPO, capture_output=True, text=True,
                          timeout=60)


@pytest.fixture
def tree_copy(tmp_path) -> Path:
    """The checked packages' Python files, copied: a violation is planted here, never in the repository."""
    for layer in CHECKED:
        for path in (REPO / layer).rglob("*.py"):
            target = tmp_path / path.relative_to(REPO)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    return tmp_path


def _plant(root: Path, relative: str, line: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text((path.read_text() if path.exists() else "") + f"\n{line}\n")


def test_it_passes_on_the_tree():
    result = _run()

    assert result.returncode == 0, result.stdout + result.stderr
    assert "clean" in result.stdout


PLANTS = {
    "core imports an app": ("core/errors.py", "from designs.models import Design", "core imports no app"),
    "core imports config": ("core/clients.py", "from config.metrics import scrape_allowed", "core imports no app"),
    "an app imports config": ("billing/selectors.py", "from config import urls", "an app imports config"),
    "an edge not allowed": ("billing/selectors.py", "from designs.views import design_new",
                            "not an allowed edge between apps"),
    "a lazy edge not allowed": ("accounts/tokens.py", "def f():\n    from designs import worker",
                                "not an allowed edge between apps"),
    "gpu imports Django": ("gpu/types.py", "from django.conf import settings", "gpu imports nothing of ours"),
    "gpu imports an app": ("gpu/styles.py", "import designs.models", "gpu imports nothing of ours"),
}
# Two edges that are each allowed (accounts -> billing.selectors, billing -> accounts.mail), together a cycle.
CYCLE = (("accounts/mail.py", "from billing import selectors"), ("billing/selectors.py", "from accounts import mail"))
# The same cycle with one of its imports inside a function: hidden from the loader, not from the check.
LAZY_CYCLE = (("accounts/mail.py", "def f():\n    from billing import selectors"),
              ("billing/selectors.py", "from accounts import mail"))


@pytest.mark.parametrize("plant", PLANTS.values(), ids=PLANTS.keys())
def test_it_fails_on_a_planted_violation(tree_copy, plant, capsys):
    relative, line, message = plant
    _plant(tree_copy, relative, line)

    assert main([str(tree_copy)]) == 1
    printed = capsys.readouterr().out
    assert message in printed
    assert relative in printed  # the planted line is the one named (the copy is the clean tree otherwise)


@pytest.mark.parametrize(("lines", "message"), [
    (CYCLE, "import cycle between apps: accounts.mail -> billing.selectors"),
    (LAZY_CYCLE, "import cycle between apps: accounts.mail ~> billing.selectors -> accounts.mail"),  # in a function
], ids=["module level", "inside a function"])
def test_it_fails_on_a_cycle_of_allowed_edges(tree_copy, capsys, lines, message):
    for relative, line in lines:
        _plant(tree_copy, relative, line)

    assert main([str(tree_copy)]) == 1
    printed = capsys.readouterr().out
    assert message in printed
    assert "not an allowed edge" not in printed  # the edges alone are fine: the cycle is what fails
