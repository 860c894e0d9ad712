"""The web process never loads torch: the dashboard's views and its demo-models notice stay light."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHECK = """
import sys
import django
django.setup()
import config.urls, designs.views
assert designs.views.demo_models() in (True, False)
heavy = sorted(name for name in ("torch", "diffusers", "transformers", "ultralytics") if name in sys.modules)
print(heavy)
"""


def test_the_dashboard_imports_no_torch():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test"}
    result = subprocess.run([sys.executable, "-c", CHECK], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"
