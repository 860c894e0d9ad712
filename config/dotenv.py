"""`.env` for `make run` and manage.py, read the way `docker run --env-file` reads it, so one file serves both.

Each line is `NAME=value` (the value is everything after the first `=`, as written: no quotes removed, no
`#` comment after it), a comment starting with `#`, or blank. A variable already in the environment wins over
the file. `NAME=` means unset: the default applies (config/env.py reads an empty value the same way).
"""
from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

DOTENV = Path(__file__).resolve().parent.parent / ".env"


def parse(text: str, *, source: str = ".env") -> dict[str, str]:
    values: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        name, equals, value = line.lstrip().partition("=")
        if not name.strip() or any(c.isspace() for c in name.strip()):
            raise ImproperlyConfigured(f"{source}:{number}: expected NAME=value, got {line!r}")
        if equals:  # a bare NAME is docker's "take it from the environment": it is there already, or unset
            values[name.strip()] = value
    return values


def load_dotenv(path: Path = DOTENV) -> dict[str, str]:
    """Put the file's variables into os.environ, except those already set; return what it set. No file: nothing."""
    if not path.is_file():
        return {}
    # An empty value stays out of the environment: unset is what it means, and a library that asks only whether
    # a variable is there (prometheus_client and PROMETHEUS_MULTIPROC_DIR) would take "" for a folder.
    loaded = {name: value for name, value in parse(path.read_text(), source=str(path)).items()
              if value and name not in os.environ}
    os.environ.update(loaded)
    return loaded
