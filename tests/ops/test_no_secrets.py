"""No credential is committed: the tracked files hold placeholders only, real values live in the environment."""
from __future__ import annotations

import re
import subprocess

from tests.ops.conftest import REPO

# Patterns are assembled from pieces so that this file does not match itself.
PATTERNS = {
    "AWS access key id": re.compile("(?:A" + "KIA|A" + "SIA)[0-9A-Z]{16}"),
    "AWS secret access key": re.compile(r"(?i)aws_?secret_?access_?key\W{1,4}[A-Za-z0-9/+]{40}"),
    "private key": re.compile("-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIV" + "ATE KEY-----"),
    "Sentry DSN with a key": re.compile(r"https://[0-9a-f]{32}(?::[0-9a-f]{32})?@[\w.-]+/\d+"),
    "Modal token": re.compile(r"\b(?:ak|as)-[A-Za-z0-9]{22,}\b"),
    "GitHub or Slack token": re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36}|xox[baprs]-[A-Za-z0-9-]{20,})\b"),
}
# A SECRET_KEY given a long literal value. Tests may use made-up keys (settings checks need one), so this one
# looks outside tests/ only.
SECRET_KEY = re.compile(r"""SECRET_KEY["']?\s*[:=]\s*["']([^"'\s]{20,})["']""")
ALLOWED_SECRET_KEYS = {"dev-only-insecure-key-never-use-in-production"}


def _tracked() -> list[str]:
    out = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    return [name for name in out.decode().split("\0") if name]


def _text(name: str) -> str | None:
    try:
        return (REPO / name).read_text(encoding="utf-8")
    except (UnicodeDecodeError, FileNotFoundError, IsADirectoryError):
        return None  # binary, or deleted in the work tree


def test_no_tracked_file_holds_a_credential():
    found = []
    for name in _tracked():
        text = _text(name)
        if text is None:
            continue
        found += [f"{name}: {kind}" for kind, pattern in PATTERNS.items() if pattern.search(text)]
        if not name.startswith("tests/"):
            found += [f"{name}: SECRET_KEY value" for value in SECRET_KEY.findall(text)
                      if value not in ALLOWED_SECRET_KEYS]
    assert found == []


def test_no_env_file_is_tracked():
    env_files = [name for name in _tracked() if re.search(r"(^|/)\.env(\.|$)", name) and name != ".env.example"]
    assert env_files == []


def test_the_patterns_catch_what_they_are_for():
    samples = {
        "AWS access key id": "AKIA" + "IOSFODNN7EXAMPLE",
        "private key": "-----BEGIN RSA " + "PRIVATE KEY-----",
        "Sentry DSN with a key": "https://" + "0123456789abcdef" * 2 + "@o1.ingest.sentry.io/42",
    }
    for kind, text in samples.items():
        assert PATTERNS[kind].search(text), kind
    assert SECRET_KEY.search('SECRET_KEY = "' + "q8W#x" * 8 + '"')
