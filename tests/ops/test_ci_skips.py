"""In CI a skipped test fails the run (tests/skips.py), unless it says it may skip; elsewhere skips stay skips."""
from __future__ import annotations

import pytest

from tests.ops.conftest import REPO

SUITE = '''
import pytest

def test_runs():
    pass

@pytest.mark.skipif(True, reason="shellcheck is not installed")
def test_needs_a_tool():
    pass

@pytest.mark.may_skip(reason="needs a GPU")
def test_needs_a_gpu():
    pytest.skip("no GPU here")

@pytest.mark.xfail(reason="a known bug", strict=True)
def test_known_bug():
    assert False
'''


@pytest.fixture
def run_sample(pytester, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")  # only the plugin under test: a fast start
    pytester.makepyfile(test_sample=SUITE)

    def run(ci: str):
        monkeypatch.setenv("CI", ci)
        return pytester.runpytest_subprocess("-p", "tests.skips", "-p", "no:cacheprovider")

    return run


def test_it_fails_a_skipped_test_in_ci_naming_the_reason(run_sample):
    result = run_sample("true")
    result.assert_outcomes(passed=1, errors=1, skipped=1, xfailed=1)  # a skip at setup: an error
    result.stdout.fnmatch_lines(["*test_needs_a_tool skipped under CI*shellcheck is not installed*"])
    assert result.ret != 0


def test_it_leaves_skips_alone_outside_ci(run_sample):
    result = run_sample("false")
    result.assert_outcomes(passed=1, skipped=2, xfailed=1)
    assert result.ret == 0
