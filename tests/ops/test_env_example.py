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
