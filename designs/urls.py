from __future__ import annotations

from django.urls import path

from designs import api, compat, files, upscale_api

api_urlpatterns = [
    path("styles/", api.StylesApi.as_view(), name="api-styles"),
    path("designs/", api.DesignListCreateApi.as_view(), name="api-designs"),
    path("designs/<uuid:design_id>/", api.DesignDetailApi.as_view(), name="api-design-detail"),
    path("designs/<uuid:design_id>/cancel/", api.DesignCancelApi.as_view(), name="api-design-cancel"),
    path("designs/<uuid:design_id>/results/<int:index>/upscale/", upscale_api.UpscaleCreateApi.as_view(),
         name="api-upscale-create"),
    path("designs/<uuid:design_id>/upscales/<uuid:upscale_id>/", upscale_api.UpscaleDetailApi.as_view(),
         name="api-upscale-detail"),
    path("designs/<uuid:design_id>/upscales/<uuid:upscale_id>/cancel/", upscale_api.UpscaleCancelApi.as_view(),
         name="api-upscale-cancel"),
]

urlpatterns = [
    path("transform/submit", compat.TransformSubmitApi.as_view(), name="transform-submit"),
    path("transform/status/<uuid:job_id>", compat.TransformStatusApi.as_view(), name="transform-status"),
    path("transform/<uuid:job_id>", compat.TransformCancelApi.as_view(), name="transform-cancel"),
    path("files/<str:token>", files.serve_signed_file, name="design-file"),
]
