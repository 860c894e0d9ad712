from django.apps import AppConfig


class DesignsConfig(AppConfig):
    name = "designs"

    def ready(self) -> None:
        from PIL import Image

        from gpu.photos import MAX_PIXELS

        # Pillow warns past this many pixels and refuses past twice as many: a second line behind gpu.photos's
        # own check of the header, which refuses at MAX_PIXELS before a pixel is decoded.
        Image.MAX_IMAGE_PIXELS = MAX_PIXELS

        from core import health
        from designs.readiness import check_gpu_engines, engines_health

        health.register("engines", report=engines_health)  # /ready/'s "engines": each breaker
        health.register("gpu_engines", check=check_gpu_engines, reads="engines")  # judged on that same read
