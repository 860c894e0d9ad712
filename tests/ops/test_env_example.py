"""Every variable the settings read is listed in .env.example, which the deployment guide points operators to."""
from __future__ import annotations

import re

from tests.ops.conftest import REPO


def test_env_example_lists_every_setting():
    settings = (REPO / "config" / "settings.py").read_text()
    read = set(re.findall(r"env(?:str|int|bool|list|float|choice)\(\s*\"([A-Z][A-Z0-9_]*)\"", settings))
    listed = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", (REPO / ".env.example").read_text(), flags=re.M))
    assert len(read) > 40
    assert sorted(read - listed) == []


def test_env_example_reads_as_docker_env_file():
    """`docker run --env-file` takes all after `=` as the value: a comment must be on a line of its own."""
    from config.dotenv import parse

    for number, line in enumerate((REPO / ".env.example").read_text().splitlines(), 1):
        assert line == "" or line.startswith("#") or re.fullmatch(r"[A-Z][A-Z0-9_]*=\S*(?: \S+)*", line), (number, line)
        assert line.startswith("#") or "#" not in line, (number, line)
    values = parse((REPO / ".env.example").read_text())
    assert values["DJANGO_ENV"] == "development" and values["SECRET_KEY"] == "" and values["PORT"] == "8000"
