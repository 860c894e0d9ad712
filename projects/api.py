"""The projects API (v1): signed-in users only. Views parse, call one service, and render the project."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.requester import requester_from_request
from core.api_schema import error_responses
from projects import services
from projects.selectors import photo_get_for, project_get_for, project_list_for, project_state, project_summary
from projects.serializers import (
    ProjectChoicesSerializer,
    ProjectCreateSerializer,
    ProjectPhotosSerializer,
    ProjectStateSerializer,
    ProjectSummarySerializer,
)

_SUBMIT_ERRORS = error_responses(400, 401, 404, 413, 415, 429, 503)


class ProjectView(APIView):
    def requester(self):
        return requester_from_request(self.request)


class ProjectListCreateApi(ProjectView, ListAPIView):
    def get_queryset(self):
        return project_list_for(self.requester())

    @extend_schema(responses={200: ProjectSummarySerializer(many=True), **error_responses(401)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response([project_summary(project) for project in page])

    @extend_schema(request={"multipart/form-data": ProjectCreateSerializer},
                   responses={201: ProjectStateSerializer, **_SUBMIT_ERRORS})
    def post(self, request):
        params = ProjectCreateSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = dict(params.validated_data)
        name, images, room_types = data.pop("name"), data.pop("images"), data.pop("room_types")
        project = services.project_create(requester=self.requester(), name=name, choices=data, images=images,
                                          room_types=room_types)
        return Response(project_state(project), status=status.HTTP_201_CREATED)


class ProjectDetailApi(ProjectView):
    @extend_schema(responses={200: ProjectStateSerializer, **error_responses(401, 404)})
    def get(self, request, project_id):
        return Response(project_state(project_get_for(self.requester(), project_id)))

    @extend_schema(responses={204: None, **error_responses(401, 404)})
    def delete(self, request, project_id):
        services.project_delete(project=project_get_for(self.requester(), project_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProjectPhotosApi(ProjectView):
    @extend_schema(request={"multipart/form-data": ProjectPhotosSerializer},
                   responses={202: ProjectStateSerializer, **_SUBMIT_ERRORS})
    def post(self, request, project_id):
        project = project_get_for(self.requester(), project_id)
        params = ProjectPhotosSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        services.project_photos_add(requester=self.requester(), project=project,
                                    images=params.validated_data["images"],
                                    room_types=params.validated_data["room_types"])
        return Response(project_state(project), status=status.HTTP_202_ACCEPTED)


class ProjectApplyApi(ProjectView):
    @extend_schema(request=ProjectChoicesSerializer, responses={202: ProjectStateSerializer, **_SUBMIT_ERRORS},
                   description="New choices for every photo: one new design each, with the project's seed; the "
                               "quota for all of them is taken together or not at all.")
    def post(self, request, project_id):
        project = project_get_for(self.requester(), project_id)
        params = ProjectChoicesSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        project = services.project_apply(requester=self.requester(), project=project,
                                         choices=dict(params.validated_data))
        return Response(project_state(project), status=status.HTTP_202_ACCEPTED)


class PhotoRerollApi(ProjectView):
    @extend_schema(request=None, responses={202: ProjectStateSerializer, **_SUBMIT_ERRORS},
                   description="A new design of this photo only, with a new seed for it (kept on the photo).")
    def post(self, request, project_id, photo_id):
        photo = photo_get_for(self.requester(), project_id, photo_id)
        services.photo_reroll(requester=self.requester(), photo=photo)
        return Response(project_state(photo.project), status=status.HTTP_202_ACCEPTED)
