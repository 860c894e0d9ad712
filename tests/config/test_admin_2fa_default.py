"""The admin's second factor is on by default in production, off in development, and either way when set."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.config.test_settings import PRODUCTION

# Only the settings module is imported: what it decides, without starting Django.
PRINT = "import config.settings as s; print(s.ADMIN_REQUIRE_2FA)"
# Development settings start an embedded Redis unless they are given one: they get the test run's.
DEVELOPMENT = {"DJANGO_ENV": "development", "REDIS_URL": os.environ.get("REDIS_URL", "")}


@pytest.mark.parametrize(("env", "required"), [
    (PRODUCTION, "True"),
    ({**PRODUCTION, "ADMIN_REQUIRE_2FA": "false"}, "False"),
    (DEVELOPMENT, "False"),
    ({**DEVELOPMENT, "ADMIN_REQUIRE_2FA": "true"}, "True"),
])
def test_it_requires_the_second_factor_in_production_by_default(env, required):
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE",
                                                              "ADMIN_REQUIRE_2FA", "DJANGO_ENV"}}
    result = subprocess.run([sys.executable, "-c", PRINT], env={**clean, **env}, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == required
