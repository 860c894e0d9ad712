"""The pipeline on Modal's GPUs: calls the deployed app (gpu/modal_app.py) and streams its events back.

Error mapping, decided here once so the worker only looks at `transient`:

- the remote pipeline raised a RestyleError: the same class, transient as it says;
- a Modal timeout, or our own deadline passed: BackendTimeout (transient);
- connection lost, service error, capacity exhausted: BackendUnavailable (transient);
- app or class not found, bad credentials: ModelUnavailable (permanent): waiting
  neither deploys the app nor fixes a token, so the design fails at once and the
  operator gets an error in the log saying what to do;
- anything else: GenerationFailed (permanent); the details go to the log, not to the user.
"""
from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import modal
import modal.exception as modal_errors

from gpu import wire
from gpu.backends import ShouldCancel
from gpu.errors import BackendTimeout, BackendUnavailable, Cancelled, GenerationFailed, ModelUnavailable, RestyleError
from gpu.types import Event, RestyleRequest, UpscaleRequest

log = logging.getLogger(__name__)

# Waiting for a GPU, a cold start from the snapshot, then the design itself (the app kills a call after 300 s).
DEFAULT_TIMEOUT_S = 420.0
POLL_S = 0.5  # how often should_cancel and the deadline are checked while no event arrives

_TIMEOUTS = (modal_errors.TimeoutError, TimeoutError)
_UNAVAILABLE = (
    modal_errors.ConnectionError, modal_errors.ServiceError, modal_errors.InternalError,
    modal_errors.InternalFailure, modal_errors.ResourceExhaustedError, modal_errors.ClientClosed, OSError,
)
_MISCONFIGURED = (modal_errors.NotFoundError, modal_errors.AuthError, modal_errors.PermissionDeniedError)


class ModalBackend:
    name = "modal"

    def __init__(
        self,
        app_name: str = "restyle",
        class_name: str = "Restyler",
        *,
        timeout: float = DEFAULT_TIMEOUT_S,
        poll_interval: float = POLL_S,
        environment_name: str | None = None,
    ) -> None:
        self.app_name = app_name
        self.class_name = class_name
        self.timeout = timeout
        self.poll_interval = poll_interval
        self.environment_name = environment_name

    def restyle(self, request: RestyleRequest, *, should_cancel: ShouldCancel | None = None) -> Iterator[Event]:
        return self._stream("restyle", request.to_dict(), should_cancel)

    def upscale(self, request: UpscaleRequest, *, should_cancel: ShouldCancel | None = None) -> Iterator[Event]:
        """The app's `upscale` method (gpu/modal_app.py): the same container and stream as a restyle."""
        return self._stream("upscale", request.to_dict(), should_cancel)

    def _stream(self, method: str, payload: dict[str, Any], should_cancel: ShouldCancel | None) -> Iterator[Event]:
        call = _RemoteCall(lambda: self._method(method).remote_gen(payload), self)
        deadline = time.monotonic() + self.timeout
        try:
            for message in call.messages(should_cancel or (lambda: False), deadline, self.poll_interval):
                if message.get("type") == wire.ERROR:
                    raise wire.error_from_dict(message)
                event = wire.event_from_dict(message)
                if event.is_final:
                    call.finish()  # the app ends its stream by itself now: nothing to cancel
                yield event
                if event.is_final:
                    return
            raise GenerationFailed("The GPU service stopped before the design was finished.")
        finally:
            call.stop()  # a no-op once the stream has ended; otherwise frees the GPU we are no longer listening to

    def _method(self, name: str = "restyle") -> Any:
        cls = modal.Cls.from_name(self.app_name, self.class_name, environment_name=self.environment_name)
        return getattr(cls(), name)

    def describe(self) -> str:
        return f"Modal app {self.app_name!r}, class {self.class_name!r}"


class _RemoteCall:
    """One remote_gen call, consumed on a helper thread.

    Waiting for Modal's next message blocks for as long as a GPU is queued for
    or a container starts. Reading on a thread lets the caller keep checking
    should_cancel and the deadline meanwhile, and cancel the call at any time.
    The thread alone iterates and closes the stream, as a generator requires.
    """

    def __init__(self, open_stream: Callable[[], Iterator[dict[str, Any]]], backend: ModalBackend) -> None:
        self._backend = backend
        self._inbox: queue.Queue[tuple[str, Any]] = queue.Queue()
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._call_id: str | None = None  # set once the app says it started; taken by whoever cancels
        self._over = False
        self._thread = threading.Thread(target=self._pump, args=(open_stream,), name="modal-restyle", daemon=True)
        self._thread.start()

    def messages(self, should_cancel: ShouldCancel, deadline: float, poll: float) -> Iterator[dict[str, Any]]:
        next_check = 0.0
        while True:
            now = time.monotonic()
            if now >= next_check:  # the worker's should_cancel may hit the database: not on every event
                if should_cancel():
                    raise Cancelled("The design was cancelled.")
                next_check = now + poll
            if now >= deadline:
                raise BackendTimeout("The GPU service took too long to finish this design.")
            try:
                kind, payload = self._inbox.get(timeout=max(0.0, min(poll, deadline - now)))
            except queue.Empty:
                continue
            if kind == "message":
                yield payload
                continue
            self._over = True
            if kind == "failed":
                raise_translated(payload, self._backend)
            return

    def finish(self) -> None:
        self._over = True

    def stop(self) -> None:
        """Stop listening and cancel the remote call if it may still be running. Safe to call twice.

        Does not wait for the thread: it may be blocked on a cold start, and it
        closes the stream by itself at its next message or when the call ends.
        """
        if self._over:
            return
        self._over = True
        self._stopping.set()
        self._cancel_remote()

    def _pump(self, open_stream: Callable[[], Iterator[dict[str, Any]]]) -> None:
        try:
            stream = open_stream()
            try:
                for message in stream:
                    if message.get("type") == wire.STARTED:
                        self._started(message.get("call_id"))
                    else:
                        self._inbox.put(("message", message))
                    if self._stopping.is_set():
                        break
            finally:
                getattr(stream, "close", lambda: None)()
        except BaseException as exc:  # noqa: BLE001  handed to the caller's thread, which decides what it means
            self._inbox.put(("failed", exc))
        else:
            self._inbox.put(("done", None))

    def _started(self, call_id: str | None) -> None:
        log.info("%s: call %s started", self._backend.describe(), call_id)
        with self._lock:
            self._call_id = call_id
        if self._stopping.is_set():  # stopped while the app was starting: cancel now that we know the call
            self._cancel_remote()

    def _cancel_remote(self) -> None:
        with self._lock:
            call_id, self._call_id = self._call_id, None
        if call_id is None:
            return
        try:
            modal.FunctionCall.from_id(call_id).cancel()
        except Exception:  # noqa: BLE001  best effort: the app's own timeout still ends the call
            log.warning("could not cancel Modal call %s", call_id, exc_info=True)


def raise_translated(exc: BaseException, backend: ModalBackend) -> None:
    error = translate(exc, backend)
    if error is exc:
        raise error
    raise error from exc


def translate(exc: BaseException, backend: ModalBackend) -> RestyleError:
    """The RestyleError the worker understands, for whatever the Modal call raised (see the table above)."""
    if isinstance(exc, RestyleError):  # raised remotely outside the stream (e.g. loading models) and unpickled
        return exc
    if isinstance(exc, _TIMEOUTS):
        return BackendTimeout("The GPU service took too long to finish this design.")
    if isinstance(exc, _MISCONFIGURED):
        log.error("%s cannot be used (%s: %s): deploy it with `modal deploy -m gpu.modal_app` and check the "
                  "MODAL_TOKEN_ID / MODAL_TOKEN_SECRET of this worker", backend.describe(), type(exc).__name__, exc)
        return ModelUnavailable("The GPU service is not available right now.")
    if isinstance(exc, _UNAVAILABLE):
        log.warning("%s unreachable: %s: %s", backend.describe(), type(exc).__name__, exc)
        return BackendUnavailable("The GPU service is busy or unreachable. Please try again in a moment.")
    log.error("%s failed", backend.describe(), exc_info=exc)
    return GenerationFailed("The design could not be generated.")
