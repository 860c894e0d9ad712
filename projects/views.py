"""The dashboard's project pages. Plain forms posted here (they work without JavaScript), validated by the API's
own serializers and handed to the same services; the project page follows progress by polling the v1 API."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from rest_framework.exceptions import ValidationError

from accounts.requester import requester_from_request
from billing.selectors import plan_context
from core.errors import ApiError
from designs.views import FLOORING_IDEAS, WALL_IDEAS, demo_models, size_choices
from gpu.styles import catalog
from projects import services
from projects.selectors import photo_get_for, project_get_for, project_list_for, project_state, project_summary
from projects.serializers import ProjectChoicesSerializer, ProjectCreateSerializer


@login_required
@require_GET
def project_list(request: HttpRequest) -> HttpResponse:
    projects = [project_summary(project) for project in project_list_for(requester_from_request(request))]
    return render(request, "projects/list.html", {"projects": projects})


@login_required
@require_http_methods(["GET", "POST"])
def project_new(request: HttpRequest) -> HttpResponse:
    requester = requester_from_request(request)
    if request.method == "POST":
        try:
            data = _validated(ProjectCreateSerializer, _form_data(request))
            name, images = data.pop("name"), data.pop("images")
            data.pop("room_types", None)
            project = services.project_create(requester=requester, name=name, choices=data, images=images)
        except ApiError as error:
            messages.error(request, _field_message(error.field, str(error.detail)))
        else:
            return redirect("project-detail", project_id=project.pk)
    chosen = {key: request.POST.get(key, "") for key in request.POST if key != "color_palette"}
    chosen["color_palette"] = [c.strip() for c in request.POST.get("color_palette", "").split(",") if c.strip()]
    return render(request, "projects/new.html", {**_choices_context(requester), "chosen": chosen})


@login_required
@require_GET
def project_detail(request: HttpRequest, project_id) -> HttpResponse:
    requester = requester_from_request(request)
    project = project_get_for(requester, project_id)
    state = project_state(project)
    names = _names()
    context = {**_choices_context(requester), "project": project, "state": state,
               "style_name": names["styles"].get(project.style, project.style),
               "chosen": {"style": project.style, **project.choices}, "demo_models": demo_models()}
    return render(request, "projects/detail.html", context)


@login_required
@require_POST
def project_apply(request: HttpRequest, project_id) -> HttpResponse:
    requester = requester_from_request(request)
    project = project_get_for(requester, project_id)
    try:
        choices = _validated(ProjectChoicesSerializer, _form_data(request))
        services.project_apply(requester=requester, project=project, choices=choices)
    except ApiError as error:
        messages.error(request, _field_message(error.field, str(error.detail)))
    else:
        messages.success(request, "New designs of every photo are on their way.")
    return redirect("project-detail", project_id=project_id)


@login_required
@require_POST
def photo_reroll(request: HttpRequest, project_id, photo_id) -> HttpResponse:
    requester = requester_from_request(request)
    try:
        services.photo_reroll(requester=requester, photo=photo_get_for(requester, project_id, photo_id))
    except ApiError as error:
        messages.error(request, str(error.detail))
    return redirect("project-detail", project_id=project_id)


@login_required
@require_POST
def project_delete(request: HttpRequest, project_id) -> HttpResponse:
    project = project_get_for(requester_from_request(request), project_id)
    services.project_delete(project=project)
    messages.success(request, "The project, its designs and all their files were deleted.")
    return redirect("project-list")


def _form_data(request: HttpRequest) -> dict:
    data = {key: value for key, value in request.POST.items() if value != "" and key != "csrfmiddlewaretoken"}
    data["images"] = request.FILES.getlist("images")
    return data


def _validated(serializer_class, data: dict) -> dict:
    serializer = serializer_class(data=data)
    try:
        serializer.is_valid(raise_exception=True)
    except ValidationError as error:
        field, problems = next(iter(error.detail.items()))
        raise ApiError("invalid", str(problems[0] if isinstance(problems, list) else problems), field=field) from None
    return dict(serializer.validated_data)


def _field_message(field: str | None, message: str) -> str:
    return f"{field.replace('_', ' ').capitalize()}: {message}" if field and field != "images" else message


def _choices_context(requester) -> dict:
    context = {**catalog(), **plan_context(requester), "flooring_ideas": FLOORING_IDEAS, "wall_ideas": WALL_IDEAS}
    return {**context, **size_choices(context["plan"])}


def _names() -> dict[str, dict[str, str]]:
    data = catalog()
    return {kind: {item["code"]: item["name"] for item in data[kind]} for kind in ("styles", "room_types")}
