"""The dashboard's pages. They render; the browser's JavaScript submits, cancels and deletes through the v1 API
and follows progress over the WebSocket, so the pages and the mobile app share one set of services."""
from __future__ import annotations

from collections import Counter

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.requester import requester_from_request
from billing.selectors import plan_context
from core.errors import ApiError
from designs import services
from designs.engines import engines_configured
from designs.files import file_url
from designs.filters import InvalidFilter, status_filter_values, style_filter_value
from designs.layout import random_weights
from designs.models import FINISHED, RUNNING, Design, Status
from designs.objects import object_choices_from_form, objects_for_page
from designs.selectors import design_get_for, design_list_for
from designs.serializers import DesignRestyleSerializer
from designs.state import design_state
from designs.uploads import MAX_ASPECT_RATIO, MIN_SHORT_SIDE
from designs.upscales import upscale_offer
from gpu.styles import catalog
from gpu.types import RESOLUTIONS
from gpu.weights import active_profile

HISTORY_PAGE_SIZE = 12
# The stages a design walks through, with the words the progress list shows for each.
STAGES = (
    (Status.QUEUED, "Waiting in line"),
    (Status.ANALYZING, "Reading the photo"),
    (Status.DETECTING, "Finding the furniture"),
    (Status.GENERATING, "Mapping walls and depth"),
    (Status.TRANSFORMING, "Restyling"),
    (Status.FINALIZING, "Checking the result"),
)
STATUS_FILTERS = (
    ("", "Any status"),
    (",".join([Status.QUEUED, *RUNNING]), "In progress"),
    (Status.COMPLETED, "Completed"),
    (Status.FAILED, "Failed"),
    (Status.CANCELLED, "Cancelled"),
)
FLOORING_IDEAS = ("light oak", "dark walnut", "herringbone parquet", "polished concrete", "white marble",
                  "terracotta tiles", "wall-to-wall carpet", "natural stone")
# The modes as the new-design page offers them (gpu/modes.py), with the submit button's words.
MODES = (
    {"code": "restyle", "name": "Restyle", "submit": "Restyle my room",
     "description": "The whole room in a new style; walls, windows and layout stay."},
    {"code": "declutter", "name": "Declutter", "submit": "Clear the room",
     "description": "Furniture and clutter removed, the room itself kept: for listings and moving."},
    {"code": "stage", "name": "Stage", "submit": "Furnish my room",
     "description": "An empty room furnished in the style and room type you pick."},
    {"code": "edit", "name": "Edit an area", "submit": "Change this area",
     "description": "Paint over one area and say what it should become; the rest stays exactly as it is."},
)
MODE_NAMES = {mode["code"]: mode["name"] for mode in MODES}
WALL_IDEAS = ("warm white", "soft grey", "sage green", "terracotta", "navy blue", "blush pink", "charcoal")


def demo_models(design: Design | None = None) -> bool:
    """Whether results come from the tiny random models (DESIGN.md §6), so the page can say so.

    A finished design records the models its worker used; otherwise we ask the same question the worker
    will. gpu.weights answers it without torch; gpu.loading re-exports the same function but imports torch,
    which the web process never loads.
    """
    versions = (design.metadata or {}).get("models") if design is not None else None
    if versions:
        return random_weights(versions)
    if engines_configured()[0] != "local":  # the real weights are baked into the engines' images (or hosted)
        return (settings.MODEL_PROFILE or "").lower() == "tiny"
    try:
        return not active_profile().real
    except ValueError:  # a benchmark-only profile such as sd15-random: random weights as well
        return True


@require_GET
def design_new(request: HttpRequest) -> HttpResponse:
    context = {
        **catalog(),
        **plan_context(requester_from_request(request)),
        "upload_limits": {"max_bytes": settings.MAX_UPLOAD_BYTES, "min_side": MIN_SHORT_SIDE,
                          "max_ratio": MAX_ASPECT_RATIO},
        "max_megabytes": settings.MAX_UPLOAD_BYTES // (1024 * 1024),
        "flooring_ideas": FLOORING_IDEAS,
        "wall_ideas": WALL_IDEAS,
        "demo_models": demo_models(),
        "modes": MODES,
    }
    return render(request, "designs/new.html", {**context, **size_choices(context["plan"])})


def size_choices(plan: dict) -> dict:
    """The variations and result sizes a plan allows, for the design and project forms."""
    return {"variation_choices": range(1, plan["max_variations"] + 1),
            "resolution_choices": [size for size in RESOLUTIONS if size <= plan["max_resolution"]],
            "default_resolution": min(768, plan["max_resolution"])}  # design_create's own default


@require_GET
def design_detail(request: HttpRequest, design_id) -> HttpResponse:
    design = design_get_for(requester_from_request(request), design_id)
    state = design_state(design)
    names = _names()
    styles = catalog()["styles"]
    context = {
        "design": design,
        "state": state,
        "style_name": names["styles"].get(design.style, design.style),
        "room_name": names["room_types"].get(state["room_type"] or "", ""),
        "chosen_room_name": names["room_types"].get(design.room_type, ""),
        "detected_room_name": names["room_types"].get(design.detected_room_type, ""),
        "stages": STAGES,
        "stage_label": dict(STAGES).get(design.status, ""),
        "finished": design.is_finished,
        "furniture": _furniture_summary(design.metadata.get("furniture") or []),
        "all_styles": styles,
        "suggested_style": _suggested_style(design, styles),
        "demo_models": demo_models(design),
        "upscale_offer": upscale_offer(requester_from_request(request)) if design.status == "completed" else None,
        "mode_name": MODE_NAMES.get(design.mode, design.mode),
        "other_modes": [mode for mode in MODES if mode["code"] != "edit"],
        # "Select furniture" in the mask editor: the boxes this design found, in its result's pixels.
        "editor_furniture": {"furniture": design.metadata.get("furniture") or [],
                             "reference_width": state["results"][0]["width"] if state["results"] else 0},
        "found_objects": objects_for_page(design),  # keep / replace / remove, object by object
    }
    return render(request, "designs/detail.html", context)


@require_POST
def design_restyle(request: HttpRequest, design_id) -> HttpResponse:
    """"Try another style": the same photo and choices, a new style. A plain form, so it works without JS."""
    requester = requester_from_request(request)
    source = design_get_for(requester, design_id)
    choice = DesignRestyleSerializer(data=request.POST)
    if not choice.is_valid():
        messages.error(request, "Pick one of the styles.")
        return redirect("design-detail", design_id=source.pk)
    params = dict(choice.validated_data)
    if choices := object_choices_from_form(request.POST):  # the page's object list: a choice per object
        params["objects"] = choices
    try:
        design = services.design_restyle(requester=requester, source=source, params=params)
    except ApiError as error:  # quota, plan limits, rate limits: the same words the API would use
        messages.error(request, str(error.detail))
        return redirect("design-detail", design_id=source.pk)
    return redirect("design-detail", design_id=design.pk)


@require_GET
def design_history(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    style = request.GET.get("style", "")
    names = _names()
    response_status = 200
    try:  # the same bounds as the API's; a bad filter is named, and the unfiltered history shown
        status = ",".join(status_filter_values(status))
        style = style_filter_value(style)
    except InvalidFilter as error:
        messages.error(request, f"{error} ({error.field} filter ignored)")
        status, style, response_status = "", "", 400
    designs = design_list_for(requester_from_request(request), status=status or None, style=style or None)
    designs = designs.select_related("project_link__project")  # the card says which project a design is of
    page = Paginator(designs, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    query = "&".join(f"{key}={value}" for key, value in (("status", status), ("style", style)) if value)
    context = {
        "page": page,
        "cards": [_card(design, names) for design in page],
        "status_filters": STATUS_FILTERS,
        "styles": catalog()["styles"],
        "status": status,
        "style": style,
        "query": query,
        "filtered": bool(status or style),
    }
    return render(request, "designs/history.html", context, status=response_status)


def _card(design: Design, names: dict) -> dict:
    results = list(design.results.all())  # prefetched by the selector
    room = design.room_type or design.detected_room_type
    return {
        "design": design,
        "thumbnail_url": file_url(results[0].thumbnail.name) if results else file_url(design.original.name),
        "style_name": names["styles"].get(design.style, design.style),
        "room_name": names["room_types"].get(room, ""),
        "running": design.status not in FINISHED,
        "mode_name": MODE_NAMES.get(design.mode, design.mode),
    }


def _suggested_style(design: Design, styles: list[dict]) -> str:
    """A failed design is most likely retried as it was; a finished one is restyled into the next style."""
    if design.status == Status.FAILED:
        return design.style
    codes = [style["code"] for style in styles]
    index = codes.index(design.style) if design.style in codes else -1
    return codes[(index + 1) % len(codes)]


def _names() -> dict[str, dict[str, str]]:
    data = catalog()
    return {kind: {item["code"]: item["name"] for item in data[kind]} for kind in ("styles", "room_types")}


def _furniture_summary(found: list[dict]) -> list[str]:
    """"sofa ×2, chair" reads better than a list of boxes."""
    counts = Counter(item.get("label", "") for item in found if item.get("label"))
    return [f"{label} ×{count}" if count > 1 else label for label, count in counts.most_common()]
