"""Object-by-object choices on the web side: the objects a finished design found, and a new design's choices
checked against them. Torch-free: the pipeline's side is gpu/objects.py."""
from __future__ import annotations

from designs.models import Design, Mode, Status
from gpu.types import OBJECT_ACTIONS

FIELD = "objects"


class ObjectChoiceError(ValueError):
    """The choices cannot be used; the message says why, for people."""


def design_objects(design: Design) -> list[dict]:
    """What the design found with an outline, each with its id (older designs recorded none: their position is
    their id)."""
    if design.status != Status.COMPLETED:
        return []
    found = design.metadata.get("furniture") or []
    return [{**item, "id": item.get("id", index)} for index, item in enumerate(found) if item.get("box")]


def objects_resolve(*, source: Design, choices, mode: str) -> list[dict]:
    """The choices as the pipeline takes them: each object's label and box (in the pixels of `frame`, the
    source's result size) with its action. Raises ObjectChoiceError for anything it cannot use."""
    if not isinstance(choices, list):
        raise ObjectChoiceError('Give a list of objects like [{"id": 3, "action": "remove"}].')
    if choices and mode not in (Mode.RESTYLE, Mode.DECLUTTER):
        raise ObjectChoiceError("Object-by-object choices work with the restyle and declutter modes only.")
    found = {item["id"]: item for item in design_objects(source)}
    frame = _frame(source)
    resolved, seen = [], set()
    for choice in choices:
        object_id, action = _parse(choice)
        if object_id in seen:
            raise ObjectChoiceError(f"Object {object_id} is listed twice.")
        if object_id not in found or frame is None:
            raise ObjectChoiceError(f"The design you started from found no object {object_id}.")
        if mode == Mode.DECLUTTER and action != "keep":
            raise ObjectChoiceError("Declutter clears every object it finds but those you keep: only keep works "
                                    "with it.")
        seen.add(object_id)
        item = found[object_id]
        resolved.append({"id": object_id, "label": item.get("label", ""), "box": list(item["box"]),
                         "frame": frame, "action": action})
    return resolved


def _parse(choice) -> tuple[int, str]:
    if not isinstance(choice, dict) or set(choice) - {"id", "action"}:
        raise ObjectChoiceError('Each object is {"id": <number>, "action": "keep" | "replace" | "remove"}.')
    object_id, action = choice.get("id"), choice.get("action")
    if not isinstance(object_id, int) or isinstance(object_id, bool):
        raise ObjectChoiceError("Each object needs its id, a whole number from the design's detections.")
    if action not in OBJECT_ACTIONS:
        raise ObjectChoiceError(f"An object's action must be one of {', '.join(OBJECT_ACTIONS)}.")
    return object_id, action


def _frame(design: Design) -> list[int] | None:
    """The size of the image the design's boxes are in: its results' size."""
    first = design.results.order_by("index").first()
    return [first.width, first.height] if first is not None else None


def objects_for_page(design: Design) -> dict:
    """The design page's object list: each object named ("Couch 2"), its outline in the result's pixels."""
    frame = _frame(design)
    found = design_objects(design)
    if frame is None or not found:
        return {"objects": [], "frame": None}
    counts: dict[str, int] = {}
    items = []
    for item in found:
        label = str(item.get("label") or "object")
        counts[label] = counts.get(label, 0) + 1
        x1, y1, x2, y2 = item["box"]
        items.append({"id": item["id"], "name": f"{label.capitalize()} {counts[label]}", "x": x1, "y": y1,
                      "width": max(x2 - x1, 0), "height": max(y2 - y1, 0)})
    return {"objects": items, "frame": {"width": frame[0], "height": frame[1]}}


def object_choices_from_form(form) -> list[dict]:
    """The choices a dashboard form sent: `object-<id>` = keep | replace | remove ("" for as usual)."""
    choices = []
    for key, value in form.items():
        if not key.startswith("object-") or not value:
            continue
        number = key.removeprefix("object-")
        choices.append({"id": int(number) if number.isdigit() else number, "action": value})
    return choices
