from django.apps import AppConfig


class DesignsConfig(AppConfig):
    name = "designs"

    def ready(self) -> None:
        from django.conf import settings
        from PIL import Image

        # Pillow warns past this many pixels and refuses past twice as many: our decompression-bomb guard.
        Image.MAX_IMAGE_PIXELS = settings.MAX_IMAGE_PIXELS

        from core import health
        from designs.readiness import check_gpu_engines, engines_health

        health.register("gpu_engines", check=check_gpu_engines)
        health.register("engines", report=engines_health)  # /ready/'s "engines": each breaker
