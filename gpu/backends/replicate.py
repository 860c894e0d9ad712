"""The design on Replicate: one prediction of a configured model version, polled into our progress events.

The model takes an image, a prompt and ControlNet-style conditioning (README "GPU engines" names public models
that fit, and how to push our own pipeline there with Cog). We send the photo upright and scaled to the design's
size as a data URI, our prompts (gpu/prompts.py), the number of variations and the seed, plus whatever
REPLICATE_INPUT_NAMES renames and REPLICATE_INPUT adds (a key set to null is left out); with REPLICATE_SEND_REQUEST
the whole request goes along as JSON, for our own pipeline pushed to Replicate with Cog. The last `variations`
files of the output are the results: models such as jagilley/controlnet-* put the control map first.

Error mapping, decided here once so the worker only looks at `transient`:

- HTTP 429 or 5xx from the API, a network error: BackendUnavailable (transient);
- our timeout passed, or the API timed out: BackendTimeout (transient); the prediction is cancelled;
- 401/403 (token) or 404 (no such version): ModelUnavailable (permanent; the log says what to set);
- another 4xx (the model refused our input, 422): InvalidRequest (permanent);
- the prediction failed: BackendUnavailable when Replicate says to retry (an interrupted machine),
  else GenerationFailed (permanent); its error text goes to the log, not to the user.
"""
from __future__ import annotations

import base64
import io
import json
import logging
import time
from collections.abc import Iterator

import httpx
import replicate
from PIL import Image, UnidentifiedImageError
from replicate.exceptions import ReplicateError

from gpu import photos
from gpu.backends import ShouldCancel
from gpu.errors import (
    BackendTimeout,
    BackendUnavailable,
    Cancelled,
    GenerationFailed,
    InvalidImage,
    InvalidRequest,
    ModelUnavailable,
    RestyleError,
)
from gpu.types import Event, RestyleRequest, RestyleResult, Variation

log = logging.getLogger(__name__)

THUMBNAIL_SIDE = 384
# Waiting for a machine (cold boots of public models take minutes), then the prediction.
DEFAULT_TIMEOUT_S = 420.0


class ReplicateBackend:
    name = "replicate"

    def __init__(self, version: str = "", *, api_token: str | None = None, base_url: str | None = None,
                 extra_input: dict | None = None, input_names: dict[str, str] | None = None,
                 send_request: bool = False, gpu_type: str = "replicate-L40S",
                 timeout: float = DEFAULT_TIMEOUT_S, poll_interval: float = 1.0) -> None:
        self.version = version
        self.extra_input = dict(extra_input or {})
        self.input_names = dict(input_names or {})  # our input name -> the model's, e.g. negative_prompt -> n_prompt
        self.send_request = send_request  # also send the whole request as JSON: our own pipeline, pushed with Cog
        self.gpu_type = gpu_type  # what an attempt here costs: GPU_PRICES_USD_PER_SECOND[gpu_type]
        self.timeout = timeout
        self.poll_interval = poll_interval
        self.client = replicate.Client(api_token=api_token, base_url=base_url,
                                       timeout=httpx.Timeout(10.0, read=30.0, write=60.0, connect=5.0, pool=10.0))

    def restyle(self, request: RestyleRequest, *, should_cancel: ShouldCancel | None = None) -> Iterator[Event]:
        should_cancel = should_cancel or (lambda: False)
        version_id = self._version_id()
        photo = _upright(request.image, request.resolution)
        prediction = self._call(lambda: self.client.predictions.create(
            version=version_id, input=self._input(request, photo)))
        log.info("replicate: prediction %s of %s created", prediction.id, self.version)
        yield Event(stage="analyzing", progress=0.02, message="Sent to the GPU service...")
        finished = False
        try:
            yield from self._follow(prediction, request, should_cancel)
            images = self._outputs(prediction.output, request.variations)
            yield Event(stage="finalizing", progress=0.95, message="Finishing touches...")
            finished = True
            yield Event(stage="completed", progress=1.0, message="Your design is ready.",
                        result=self._result(prediction, request, photo, images))
        finally:
            if not finished:
                self._cancel(prediction.id)  # stopped early (cancel, timeout, error): free the machine

    def describe(self) -> str:
        return f"Replicate model {self.version!r}"

    # --- the prediction ------------------------------------------------------------------------------------

    def _version_id(self) -> str:
        version_id = self.version.rpartition(":")[2].strip()
        if not version_id:
            log.error("replicate: REPLICATE_MODEL_VERSION is not set (owner/name:version of the model to run)")
            raise ModelUnavailable("The GPU service is not available right now.")
        return version_id

    def _input(self, request: RestyleRequest, photo: Image.Image) -> dict:
        from gpu.colors import InvalidPreference
        from gpu.prompts import PromptChoices, prompts_for

        try:  # a restyle (designs/engines.py RESTYLE_ONLY_ENGINES): the room type as chosen, none detected here
            prompt, negative = prompts_for(PromptChoices.from_request(request, room_type=request.room_type))
        except (InvalidPreference, KeyError, ValueError) as exc:
            raise InvalidRequest(str(exc) or "The design's choices are not valid.") from exc
        image = f"data:image/jpeg;base64,{base64.b64encode(_jpeg(photo)).decode()}"
        data = {"image": image, "prompt": prompt, "negative_prompt": negative,
                "num_outputs": request.variations}
        if request.seed is not None:
            data["seed"] = request.seed
        if self.send_request:
            data["request"] = json.dumps({k: v for k, v in request.to_dict().items() if k != "image"})
        data = {self.input_names.get(key, key): value for key, value in data.items()}
        data.update(self.extra_input)
        return {key: value for key, value in data.items() if value is not None}

    def _follow(self, prediction, request: RestyleRequest, should_cancel: ShouldCancel) -> Iterator[Event]:
        """Poll until the prediction ends, turning its status and logged progress into our events."""
        deadline = time.monotonic() + self.timeout
        progress = 0.02
        while True:
            if should_cancel():
                raise Cancelled("The design was cancelled.")
            if time.monotonic() >= deadline:
                log.warning("replicate: prediction %s unfinished after %.0f s", prediction.id, self.timeout)
                raise BackendTimeout("The GPU service took too long to finish this design.")
            self._call(prediction.reload)
            if prediction.status == "succeeded":
                return
            if prediction.status in ("failed", "canceled"):
                raise _failed(prediction)
            event = _progress_event(prediction, request, progress)
            if event is not None:
                progress = event.progress
                yield event
            time.sleep(self.poll_interval)

    def _cancel(self, prediction_id: str) -> None:
        try:
            self.client.predictions.cancel(prediction_id)
            log.info("replicate: prediction %s cancelled", prediction_id)
        except Exception:  # noqa: BLE001  best effort: Replicate's own timeout still ends it
            log.warning("replicate: could not cancel prediction %s", prediction_id, exc_info=True)

    def _call(self, call):
        try:
            return call()
        except RestyleError:
            raise
        except Exception as exc:  # noqa: BLE001  translated below, the original kept as the cause
            raise translate(exc, self) from exc

    # --- the output ----------------------------------------------------------------------------------------

    def _outputs(self, output, variations: int) -> list[bytes]:
        files = output if isinstance(output, list) else [output]
        files = [f for f in files if isinstance(f, str) and f]
        if len(files) < variations:
            log.error("replicate: %s returned %d files for %d variations: %r", self.describe(), len(files),
                      variations, output)
            raise GenerationFailed("The design could not be generated.")
        return [self._download(url) for url in files[-variations:]]

    def _download(self, url: str) -> bytes:
        if url.startswith("data:"):
            return base64.b64decode(url.partition(",")[2])
        try:
            response = httpx.get(url, timeout=60.0, follow_redirects=True)
        except httpx.TimeoutException as exc:
            raise BackendTimeout("The GPU service took too long to finish this design.") from exc
        except httpx.HTTPError as exc:
            raise BackendUnavailable("The GPU service is busy or unreachable. Please try again in a moment.") from exc
        if response.status_code != 200:
            log.warning("replicate: output %s answered %s", url, response.status_code)
            raise BackendUnavailable("The GPU service is busy or unreachable. Please try again in a moment.")
        return response.content

    def _result(self, prediction, request: RestyleRequest, photo: Image.Image, images: list[bytes]) -> RestyleResult:
        variations, scores = [], []
        for index, data in enumerate(images):
            image = _decode_output(data)
            score = _layout_score(photo, image)
            scores.append(score)
            variations.append(Variation(
                image=_jpeg(image, quality=92), thumbnail=_jpeg(_thumbnail(image)),
                seed=(request.seed or 0) + index, width=image.width, height=image.height,
                quality_score=score if score is not None else 0.0))
        metrics = prediction.metrics or {}
        return RestyleResult(
            variations=variations, maps={}, timings={"replicate": float(metrics.get("predict_time") or 0)},
            furniture=[], detected_room_type=request.room_type,
            quality={"measured": None not in scores, "engine": "replicate", "prediction": prediction.id},
            models={"replicate": self.version}, device=f"replicate:{self.gpu_type}",
            gpu_seconds=float(metrics.get("predict_time") or 0),
        )


def _progress_event(prediction, request: RestyleRequest, last: float) -> Event | None:
    """starting: waiting for a machine; processing: the model's tqdm bar in its logs, when it prints one."""
    if prediction.status == "starting":
        return Event(stage="analyzing", progress=0.05, message="Waiting for a GPU...") if last < 0.05 else None
    bar = prediction.progress  # the SDK parses "NN%|███| i/n" from the logs
    fraction = bar.percentage if bar is not None else 0.0
    progress = round(max(last, 0.1 + 0.8 * fraction), 3)
    if progress <= last:
        return None
    return Event(stage="transforming", progress=progress, message=f"Applying {request.style} style...")


def _failed(prediction) -> RestyleError:
    error = str(prediction.error or "")
    log.warning("replicate: prediction %s %s: %s", prediction.id, prediction.status, error[:500])
    if prediction.status == "failed" and "retry" in error.lower():  # e.g. "Prediction interrupted; please retry"
        return BackendUnavailable("The GPU service is busy or unreachable. Please try again in a moment.")
    return GenerationFailed("The design could not be generated.")


def translate(exc: BaseException, backend: ReplicateBackend) -> RestyleError:
    """The RestyleError the worker understands, for whatever a call to Replicate raised (see the table above)."""
    if isinstance(exc, ReplicateError):
        status = exc.status or 0
        if status == 429 or status >= 500:
            log.warning("%s: API answered %s: %s", backend.describe(), status, exc.detail)
            return BackendUnavailable("The GPU service is busy or unreachable. Please try again in a moment.")
        if status in (401, 403, 404):
            log.error("%s cannot be used (%s: %s): check REPLICATE_API_TOKEN and REPLICATE_MODEL_VERSION",
                      backend.describe(), status, exc.detail)
            return ModelUnavailable("The GPU service is not available right now.")
        log.error("%s refused the input (%s: %s): check REPLICATE_INPUT against the model's inputs",
                  backend.describe(), status, exc.detail)
        return InvalidRequest("The GPU service could not accept this design.")
    if isinstance(exc, httpx.TimeoutException):
        return BackendTimeout("The GPU service took too long to finish this design.")
    if isinstance(exc, httpx.HTTPError | OSError):
        log.warning("%s unreachable: %s: %s", backend.describe(), type(exc).__name__, exc)
        return BackendUnavailable("The GPU service is busy or unreachable. Please try again in a moment.")
    log.error("%s failed", backend.describe(), exc_info=exc)
    return GenerationFailed("The design could not be generated.")


# --- images, with Pillow only: the worker's image has no numpy or OpenCV ----------------------------------------


def _upright(data: bytes, long_side: int) -> Image.Image:
    try:
        image = photos.decode(data, long_side=long_side)  # upright sRGB, no metadata: as the local pipeline reads it
    except photos.PhotoError as error:
        raise InvalidImage(error.message) from error
    scale = long_side / max(image.size)
    if scale < 1:
        image = image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.LANCZOS)
    return image


def _decode_output(data: bytes) -> Image.Image:
    try:
        return Image.open(io.BytesIO(data)).convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise GenerationFailed("The design could not be generated.") from exc


def _thumbnail(image: Image.Image) -> Image.Image:
    copy = image.copy()
    copy.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.Resampling.LANCZOS)
    return copy


def _jpeg(image: Image.Image, quality: int = 90) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def _layout_score(photo: Image.Image, output: Image.Image) -> float | None:
    """The pipeline's layout score (gpu/quality.py) where its packages are installed, else None (unmeasured)."""
    try:
        import numpy as np

        from gpu import quality
    except ImportError:
        return None
    source = np.asarray(photo.resize(output.size), dtype=np.uint8)
    result = np.asarray(output, dtype=np.uint8)
    return round(quality.layout_score(quality.edge_f1(source, result), quality.gradient_correlation(source, result)), 4)
