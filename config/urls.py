from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config import metrics
from core import health
from designs import urls as designs_urls
from projects import urls as projects_urls

urlpatterns = [
    path("health/", health.health, name="health"),
    path("ready/", health.ready, name="ready"),
    path("metrics", metrics.metrics_view, name="metrics"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("accounts.api_urls")),
    path("api/v1/", include(designs_urls.api_urlpatterns)),
    path("api/v1/", include("billing.api_urls")),
    path("api/v1/", include(projects_urls.api_urlpatterns)),
    path("", include(designs_urls.urlpatterns)),
    path("", include("designs.dashboard_urls")),
    path("", include(projects_urls.urlpatterns)),
    path("", include("accounts.urls")),
    path("", include("billing.urls")),
]

handler404 = "core.health.not_found"
handler500 = "core.health.server_error"
