"""One interface for every place the pipeline can run: `restyle(request) -> Iterator[Event]`."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Protocol

from gpu.types import Event, RestyleRequest, UpscaleRequest

ShouldCancel = Callable[[], bool]


class Backend(Protocol):
    name: str

    def restyle(self, request: RestyleRequest, *, should_cancel: ShouldCancel | None = None) -> Iterator[Event]:
        """Yield progress events, then one final event carrying the result.

        `should_cancel` is polled between events; when it returns True the
        backend stops the work and raises gpu.errors.Cancelled.
        """
        ...

    def upscale(self, request: UpscaleRequest, *, should_cancel: ShouldCancel | None = None) -> Iterator[Event]:
        """The same contract for enlarging a result (gpu/upscale.py): the final event carries `upscaled`."""
        ...


def get_backend(name: str, **options) -> Backend:
    if name == "local":
        from gpu.backends.local import LocalBackend

        return LocalBackend(**options)
    if name == "modal":
        from gpu.backends.modal import ModalBackend

        return ModalBackend(**options)
    if name == "http":
        from gpu.backends.http import HttpBackend

        return HttpBackend(**options)
    if name == "replicate":
        from gpu.backends.replicate import ReplicateBackend

        return ReplicateBackend(**options)
    raise ValueError(f"unknown GPU backend {name!r}: use 'local', 'modal', 'http' or 'replicate'")
