"""The dashboard's pages (designs/views.py). The JSON API they call lives in designs/urls.py."""
from __future__ import annotations

from django.urls import path

from designs import views

urlpatterns = [
    path("designs/", views.design_history, name="design-history"),
    path("designs/new/", views.design_new, name="design-new"),
    path("designs/<uuid:design_id>/", views.design_detail, name="design-detail"),
    path("designs/<uuid:design_id>/restyle/", views.design_restyle, name="design-restyle"),
]
