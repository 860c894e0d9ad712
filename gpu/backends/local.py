"""The pipeline in this process: development, CI, and single-machine installs with a GPU."""
from __future__ import annotations

import logging
from collections.abc import Iterator

from gpu.backends import ShouldCancel
from gpu.errors import Cancelled
from gpu.types import Event, RestyleRequest, UpscaleRequest

log = logging.getLogger(__name__)


class LocalBackend:
    name = "local"

    def __init__(self, profile: str | None = None, device: str | None = None) -> None:
        self.profile = profile  # None: MODEL_PROFILE, else sd15 when cached, else tiny
        self.device = device  # None: CUDA when present

    def restyle(self, request: RestyleRequest, *, should_cancel: ShouldCancel | None = None) -> Iterator[Event]:
        # Imported here: the backend registry is imported by the web process, which never loads torch.
        from gpu import compile, loading, pipeline

        if should_cancel is not None and should_cancel():
            raise Cancelled("The design was cancelled.")
        loaded = loading.load(self.profile, self.device)  # cached per process after the first call
        compile.prepare(loaded)  # once per process: compiled and warmed where RESTYLE_COMPILE/WARMUP say so
        events = pipeline.run(request, loaded)
        try:
            for event in events:
                if should_cancel is not None and should_cancel():
                    raise Cancelled("The design was cancelled.")
                yield event
        finally:
            events.close()  # stops the denoising thread at its next step when we leave early


    def upscale(self, request: UpscaleRequest, *, should_cancel: ShouldCancel | None = None) -> Iterator[Event]:
        from gpu import upscale

        if should_cancel is not None and should_cancel():
            raise Cancelled("The upscale was cancelled.")
        events = upscale.run(request, upscale.load(self.profile, self.device))
        try:
            for event in events:
                if should_cancel is not None and should_cancel():
                    raise Cancelled("The upscale was cancelled.")
                yield event
        finally:
            events.close()


def warm_at_boot(profile: str | None = None, device: str | None = None) -> bool:
    """Load, compile and warm the models as the worker starts, so its first design pays for none of it.

    Only where it buys something (RESTYLE_COMPILE / RESTYLE_WARMUP, by default on CUDA): on a CPU the
    models still load on the first design. Returns whether it prepared anything.
    """
    import torch

    from gpu import compile, loading

    target = torch.device(device) if device else loading.default_device()
    if not (compile.compile_enabled(target) or compile.warmup_enabled(target)):
        return False
    compile.prepare(loading.load(profile, target))
    return True
