"""A quick draft goes from the API through the real queue and worker into the few-step pipeline (gpu/fast.py)."""
from __future__ import annotations

import pytest

from billing.models import Plan
from tests.conftest import assert_error
from tests.designs.conftest import submit, wait_for
from tests.gpu.support import pipe_spy


@pytest.fixture
def spies(monkeypatch):
    # the worker's local backend loads the same cached tiny set in this process
    return {quick: pipe_spy(monkeypatch, "img2img", fast=quick) for quick in (False, True)}


def test_it_runs_a_quick_draft_through_the_worker_into_the_few_step_pipeline(worker, alice_api, spies):
    response = submit(alice_api, style="boho", quick="true")
    assert response.status_code == 202, response.content

    state = wait_for(alice_api, response.json()["id"])

    assert state["status"] == "completed", state["error"]
    assert state["preferences"]["quick"] is True
    assert state["metadata"]["mode"] == "quick"
    assert spies[True].calls and not spies[False].calls
    call = spies[True].calls[0]
    assert call["guidance_scale"] == 1.0  # classifier-free guidance off
    assert type(spies[True].scheduler).__name__ == "LCMScheduler"
    assert type(spies[True].vae).__name__ == "AutoencoderTiny"
    assert len(state["results"]) == 1


def test_it_runs_a_standard_design_without_the_quick_pipeline(worker, alice_api, spies):
    state = wait_for(alice_api, submit(alice_api, style="boho").json()["id"])

    assert state["status"] == "completed", state["error"]
    assert "quick" not in state["preferences"]
    assert state["metadata"]["mode"] == "standard"
    assert spies[False].calls and not spies[True].calls


def test_it_refuses_a_quick_draft_when_the_plan_does_not_include_it(alice_api):
    Plan.objects.filter(code="free").update(quick_drafts=False)

    assert_error(submit(alice_api, quick="true"), 400, "plan_limit", "quick")
    assert alice_api.get("/api/v1/me/").json()["plan"]["quick_drafts"] is False
