from __future__ import annotations

from django.urls import path

from projects import api, views

api_urlpatterns = [
    path("projects/", api.ProjectListCreateApi.as_view(), name="api-projects"),
    path("projects/<uuid:project_id>/", api.ProjectDetailApi.as_view(), name="api-project-detail"),
    path("projects/<uuid:project_id>/photos/", api.ProjectPhotosApi.as_view(), name="api-project-photos"),
    path("projects/<uuid:project_id>/apply/", api.ProjectApplyApi.as_view(), name="api-project-apply"),
    path("projects/<uuid:project_id>/photos/<uuid:photo_id>/reroll/", api.PhotoRerollApi.as_view(),
         name="api-project-photo-reroll"),
]

urlpatterns = [
    path("projects/", views.project_list, name="project-list"),
    path("projects/new/", views.project_new, name="project-new"),
    path("projects/<uuid:project_id>/", views.project_detail, name="project-detail"),
    path("projects/<uuid:project_id>/apply/", views.project_apply, name="project-apply"),
    path("projects/<uuid:project_id>/delete/", views.project_delete, name="project-delete"),
    path("projects/<uuid:project_id>/photos/<uuid:photo_id>/reroll/", views.photo_reroll,
         name="project-photo-reroll"),
]
