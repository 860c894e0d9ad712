"""In CI a skipped test is a failed test, unless it is marked `may_skip`.

A skip usually means the machine lacks something (a linter, Chromium, a file) and the behaviour went
untested while the run stayed green. `make test` installs everything the suite needs on a fresh machine,
so under CI (the `CI` environment variable set and not false, as CI services and .ci/run set it) every
skip is turned into a failure naming its reason. A test that cannot run on a fresh machine by nature says
so with `@pytest.mark.may_skip(reason=...)`. Expected failures (xfail) are left alone.
"""
from __future__ import annotations

import os

import pytest

FALSE = {"", "0", "false", "no", "off"}


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in FALSE


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "may_skip(reason): this test may skip in CI (a fresh machine cannot run it)")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if not report.skipped or hasattr(report, "wasxfail") or not in_ci() or item.get_closest_marker("may_skip"):
        return
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    report.outcome = "failed"
    report.longrepr = (f"{item.nodeid} skipped under CI, where every test must run: {reason}\n"
                       "Install what it needs in the Makefile's system-deps, or mark it may_skip.")
