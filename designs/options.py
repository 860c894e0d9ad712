"""What the person chose for a design beyond its own columns (style, room type, mode, variations, resolution).

One definition per option: a field here. It is read by name from the validated submit (designs/serializers.py),
stored under that name in the design's `preferences` JSON, and handed to the pipeline's request
(gpu.types.RestyleRequest) under the same name, or under the one its `request` metadata gives. Adding an option
is a field here and its serializer field: nothing in between lists the options again.

An option left unchosen is None and is not stored, so the pipeline's own default applies; rows stored before
this type had the same sparse shape and load as they are (keys no longer known are ignored).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any


def option(*, request: str | None = None, only_when_on: bool = False) -> Any:
    """A field of DesignOptions. `request`: its name in RestyleRequest when not the same. `only_when_on`: a
    switch recorded only when on (so a design that did not ask keeps the preferences it always had)."""
    return field(default=None, metadata={"request": request, "only_when_on": only_when_on})


@dataclass(frozen=True)
class DesignOptions:
    keep_furniture: bool | None = option()
    color_palette: tuple[str, ...] | None = option()  # "#rrggbb" strings
    wall_color: str | None = option()  # "#rrggbb" or a colour word
    flooring: str | None = option()
    prompt: str | None = option()  # the person's free-text wish
    creativity: float | None = option()  # 0..1
    seed: int | None = option()
    quick: bool | None = option(request="fast", only_when_on=True)  # the few-step quick draft (gpu/fast.py)
    # Object by object (designs/objects.py): {id, label, box, frame, action} per object of the source design.
    objects: tuple[dict, ...] | None = option()

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> DesignOptions:
        """From the submit's validated data, or a design's stored preferences: the keys it knows, by name."""
        chosen = {}
        for spec in fields(cls):
            value = data.get(spec.name)
            if _is_chosen(spec, value):
                chosen[spec.name] = tuple(value) if isinstance(value, list) else value
        return cls(**chosen)

    def to_json(self) -> dict[str, Any]:
        """The design's `preferences`: the chosen options only."""
        return {name: list(value) if isinstance(value, tuple) else value for name, value in self._chosen()}

    def request_fields(self) -> dict[str, Any]:
        """Keyword arguments for gpu.types.RestyleRequest; an option not chosen keeps the request's default."""
        names = {spec.name: spec.metadata["request"] or spec.name for spec in fields(self)}
        return {names[name]: value for name, value in self._chosen()}

    def _chosen(self):
        for spec in fields(self):
            value = getattr(self, spec.name)
            if _is_chosen(spec, value):
                yield spec.name, value


def _is_chosen(spec, value) -> bool:
    """None and an empty text are "not chosen"; a switch recorded only when on is chosen only when on."""
    if spec.metadata["only_when_on"]:
        return value is True
    return value is not None and value != ""
