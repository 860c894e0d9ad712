from __future__ import annotations

from django.urls import path

from designs import api, compat, files

api_urlpatterns = [
    path("styles/", api.StylesApi.as_view(), name="api-styles"),
    path("designs/", api.DesignListCreateApi.as_view(), name="api-designs"),
    path("designs/<uuid:design_id>/", api.DesignDetailApi.as_view(), name="api-design-detail"),
    path("designs/<uuid:design_id>/cancel/", api.DesignCancelApi.as_view(), name="api-design-cancel"),
]

urlpatterns = [
    path("transform/submit", compat.TransformSubmitApi.as_view(), name="transform-submit"),
    path("transform/status/<uuid:job_id>", compat.TransformStatusApi.as_view(), name="transform-status"),
    path("transform/<uuid:job_id>", compat.TransformCancelApi.as_view(), name="transform-cancel"),
    path("files/<str:token>", files.serve_signed_file, name="design-file"),
]
