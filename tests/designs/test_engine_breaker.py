"""The circuit breaker per engine, in the real Redis every worker shares: opens after N failures in a row,
lets one trial through after the cool-down, closes on its success, and stays exact when workers race."""
from __future__ import annotations

import threading
import time

import pytest

from designs import engines


@pytest.fixture
def breaker(settings):
    settings.ENGINE_BREAKER_FAILURES = 3
    settings.ENGINE_BREAKER_COOLDOWN_SECONDS = 0.5


def state(engine: str) -> engines.BreakerState:
    return engines.breaker_states([engine])[0]


def test_it_opens_after_failures_in_a_row_and_closes_after_a_successful_trial(breaker):
    engines.breaker_failure("modal")
    engines.breaker_success("modal")  # a success in between: the count starts again
    for _ in range(2):
        engines.breaker_failure("modal")
    assert state("modal").state == "closed" and engines.breaker_allow("modal")

    engines.breaker_failure("modal")
    assert state("modal").state == "open" and not state("modal").ready
    assert not engines.breaker_allow("modal")
    assert engines.breaker_allow("replicate")  # one engine's breaker says nothing of another's

    time.sleep(0.6)
    assert state("modal").ready
    assert engines.breaker_allow("modal")  # the trial
    assert not engines.breaker_allow("modal")  # only one
    engines.breaker_success("modal")
    assert state("modal").state == "closed" and engines.breaker_allow("modal")
    assert state("modal").opened == 1


def test_it_opens_again_when_the_trial_fails(breaker):
    for _ in range(3):
        engines.breaker_failure("modal")
    time.sleep(0.6)
    assert engines.breaker_allow("modal")

    engines.breaker_failure("modal")

    assert state("modal").state == "open"
    assert not engines.breaker_allow("modal")  # a fresh cool-down
    assert state("modal").opened == 2


def _at_once(count: int, call) -> list:
    start, results = threading.Barrier(count), []

    def run():
        start.wait()
        results.append(call())

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_it_lets_exactly_one_trial_through_when_workers_race(breaker):
    for _ in range(3):
        engines.breaker_failure("modal")
    time.sleep(0.6)

    allowed = _at_once(16, lambda: engines.breaker_allow("modal"))

    assert allowed.count(True) == 1


def test_it_loses_no_failure_when_workers_race(settings):
    settings.ENGINE_BREAKER_FAILURES = 16

    _at_once(15, lambda: engines.breaker_failure("modal"))
    assert (state("modal").state, state("modal").failures) == ("closed", 15)
    engines.breaker_failure("modal")
    assert state("modal").state == "open"
