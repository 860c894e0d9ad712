from __future__ import annotations

from django.urls import path

from designs.compat_ws import TransformConsumer
from designs.consumers import DesignConsumer

websocket_urlpatterns = [
    path("ws/designs/<uuid:design_id>/", DesignConsumer.as_asgi()),
    path("ws/transform/<uuid:design_id>/", TransformConsumer.as_asgi()),
    path("ws/transform/<uuid:design_id>", TransformConsumer.as_asgi()),
]
