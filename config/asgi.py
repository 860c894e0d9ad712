from __future__ import annotations

import gc
import os

from django.core.asgi import get_asgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402  (needs Django set up first)

from accounts.ws_auth import TokenOrSessionAuth  # noqa: E402
from core.bodyguard import BodyGuard  # noqa: E402
from designs.routing import websocket_urlpatterns  # noqa: E402
from designs.ws_guard import HandshakeLimit, SocketSlots  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": BodyGuard(django_asgi_app),
        # Handshakes are counted before authentication runs; open sockets after it, per network and per user.
        "websocket": HandshakeLimit(TokenOrSessionAuth(SocketSlots(URLRouter(websocket_urlpatterns)))),
    }
)

from designs.alerts import web_timer_start  # noqa: E402

web_timer_start()  # operations alerts are evaluated here too: with every worker dead, nobody else would

# Import every view now rather than on the first request, then hide everything loaded so far from the garbage
# collector: it lives as long as the process, and rescanning it in full collections cost about 4 ms of a 40 ms
# submit (profiled with cProfile).
get_resolver().url_patterns  # noqa: B018
gc.freeze()
