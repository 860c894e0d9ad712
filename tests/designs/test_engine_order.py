"""Which engine an attempt goes to: the deployment's order (or the plan's), the next engine after a fault, the
same one after an interruption, and never one whose breaker is open."""
from __future__ import annotations

import pytest

from billing.selectors import plan_get
from billing.services import quota_reserve
from designs import engines
from designs.models import DesignAttempt
from tests.dashboard.conftest import make_design

pytestmark = pytest.mark.django_db


@pytest.fixture
def design(alice, settings):
    settings.GPU_ENGINES = ["modal", "http", "replicate"]
    settings.ENGINE_BREAKER_FAILURES = 2
    design = make_design(owner=alice)
    quota_reserve(design=design, units=1)
    return design


def ended(design, attempt: int, engine: str, outcome: str) -> None:
    engines.attempt_begin(design, attempt, engine)
    engines.attempt_end(design, attempt, engine, outcome)


def test_it_keeps_the_old_single_backend_setting_as_a_one_engine_list(settings):
    settings.GPU_ENGINES, settings.GPU_BACKEND = [], "local"
    assert engines.engines_configured() == ["local"]


def test_it_starts_on_the_first_engine_and_moves_on_after_a_fault(design):
    assert engines.engine_pick(design, 1) == "modal"
    ended(design, 1, "modal", "backend_timeout")
    assert engines.engine_pick(design, 2) == "http"
    ended(design, 2, "http", "backend_unavailable")
    assert engines.engine_pick(design, 3) == "replicate"
    ended(design, 3, "replicate", "backend_unavailable")
    assert engines.engine_pick(design, 4) == "modal"  # round again, for a design staff retried
    assert list(DesignAttempt.objects.filter(design=design).order_by("attempt").values_list("engine", "engine_fault")
                ) == [("modal", True), ("http", True), ("replicate", True)]


def test_it_stays_on_the_engine_after_an_interruption_that_was_not_its_fault(design):
    ended(design, 1, "modal", "handed_back")
    assert engines.engine_pick(design, 2) == "modal"
    ended(design, 2, "modal", "not_a_room")
    assert engines.engine_pick(design, 3) == "modal"


def test_it_skips_an_engine_whose_breaker_is_open(design):
    for _ in range(2):
        engines.breaker_failure("modal")
    assert engines.engine_pick(design, 1) == "http"


def test_it_refuses_the_attempt_when_every_breaker_is_open(design):
    for name in ("modal", "http", "replicate"):
        for _ in range(2):
            engines.breaker_failure(name)
    with pytest.raises(engines.NoEngineAvailable) as raised:
        engines.engine_pick(design, 1)
    assert raised.value.transient and "No GPU engine is available" in raised.value.message


def test_it_follows_the_plans_own_order(design, alice):
    plan = plan_get(code="free")
    plan.gpu_engines = "replicate, modal"
    plan.save()
    assert engines.engines_for(design) == ["replicate", "modal"]
    assert engines.engine_pick(design, 1) == "replicate"


def test_it_tells_the_breaker_how_attempts_end(design):
    ended(design, 1, "modal", "backend_timeout")
    ended(design, 2, "modal", "invalid_image")  # the user's photo: not the engine's fault, not its success
    assert engines.breaker_states(["modal"])[0].failures == 1
    ended(design, 3, "modal", "backend_timeout")
    assert engines.breaker_states(["modal"])[0].state == "open"


def test_it_refuses_an_unknown_engine_in_a_plans_order():
    from django.core.exceptions import ValidationError

    plan = plan_get(code="free")
    plan.gpu_engines = "modal, gpu9"
    with pytest.raises(ValidationError, match="gpu9"):
        plan.full_clean()


def test_it_keeps_designs_of_other_modes_off_the_engines_that_only_restyle(design, settings):
    design.mode = "edit"
    design.save(update_fields=["mode"])
    assert engines.engines_for(design) == ["modal", "http"]
    settings.GPU_ENGINES = ["replicate"]
    with pytest.raises(engines.ModeUnsupported):
        engines.engine_pick(design, 1)


@pytest.mark.parametrize("choice", ["reference", "objects"])
def test_it_keeps_reference_and_object_designs_off_the_engines_that_only_restyle(design, settings, choice):
    assert engines.engines_for(design) == ["modal", "http", "replicate"]
    if choice == "reference":
        design.reference.name = f"{design.storage_prefix}/reference.jpg"
    else:
        design.preferences = {"objects": [{"id": 0, "label": "couch", "box": [0, 0, 8, 8], "frame": [64, 48],
                                           "action": "keep"}]}
    design.save()
    assert engines.engines_for(design) == ["modal", "http"]
    settings.GPU_ENGINES = ["replicate"]
    with pytest.raises(engines.ModeUnsupported):
        engines.engine_pick(design, 1)
