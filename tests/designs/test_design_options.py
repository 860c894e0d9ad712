"""A design's options (designs/options.py) go from the validated submit into the stored preferences and from
there, typed, into the pipeline's request field for field; rows stored before the type load as they are."""
from __future__ import annotations

from dataclasses import fields

import pytest

from designs.models import Design
from designs.options import DesignOptions
from designs.worker import design_run
from gpu.errors import NotARoom
from gpu.types import RestyleRequest
from tests.dashboard.conftest import make_design
from tests.designs.conftest import submit

pytestmark = pytest.mark.django_db


class _RecordingEngine:
    """Keeps the request it is handed, then stops the design before any GPU work."""

    name = "modal"

    def __init__(self) -> None:
        self.requests: list[RestyleRequest] = []

    def restyle(self, request, *, should_cancel):
        self.requests.append(request)
        raise NotARoom("Stopped by the test.")
        yield  # a generator, as every engine's restyle


def _request_of(design_id) -> RestyleRequest:
    engine = _RecordingEngine()
    design_run(str(design_id), backend=engine)
    [request] = engine.requests
    return request


def test_it_hands_every_chosen_option_to_the_pipeline_request(alice_api):
    response = submit(alice_api, keep_furniture="true", color_palette="#A3B18A,#f2e8cf", wall_color="sage green",
                      flooring="light oak", prompt="more plants", creativity="0.7", seed="42", quick="true")
    assert response.status_code == 202, response.content

    request = _request_of(response.json()["id"])

    assert (request.keep_furniture, request.color_palette, request.wall_color, request.flooring) == (
        True, ("#a3b18a", "#f2e8cf"), "sage green", "light oak")
    assert (request.prompt, request.creativity, request.seed, request.fast) == ("more plants", 0.7, 42, True)


def test_it_stores_only_what_was_chosen_as_before(alice_api):
    plain = Design.objects.get(pk=submit(alice_api).json()["id"])
    quick = Design.objects.get(pk=submit(alice_api, quick="true", prompt="").json()["id"])

    assert plain.preferences == {"keep_furniture": False, "color_palette": [], "creativity": 0.5}
    assert quick.preferences == {"keep_furniture": False, "color_palette": [], "creativity": 0.5, "quick": True}


def test_it_loads_the_preferences_of_a_design_stored_before_the_type(alice):
    design = make_design(owner=alice, preferences={"keep_furniture": True, "color_palette": ["#a3b18a"],
                                                   "creativity": 0.3, "retired_option": "ignored"})

    request = _request_of(design.pk)

    assert (request.keep_furniture, request.color_palette, request.creativity) == (True, ("#a3b18a",), 0.3)
    assert (request.prompt, request.seed, request.fast, request.wall_color) == ("", None, False, None)


def test_it_names_a_pipeline_request_field_for_every_option():
    request_fields = {spec.name for spec in fields(RestyleRequest)}
    for spec in fields(DesignOptions):
        assert (spec.metadata["request"] or spec.name) in request_fields, spec.name
