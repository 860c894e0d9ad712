"""The restyle pipeline: one request in, a stream of events out, the last one carrying the result.

    analyzing    decode, EXIF orientation, no metadata, long side = resolution, even sides (aspect kept)
    detecting    YOLO: furniture, a suggested room type, the keep-furniture mask, not-a-room check
    generating   control maps: depth (Depth Anything) and Canny edges
    transforming SD 1.5 img2img (inpaint when furniture is kept) with depth + canny ControlNets,
                 all variations in one batched call, per-step progress and previews
    finalizing   keep-mask compositing, quality check (one retry that changes what failed), JPEG/PNG encoding

Diffusers calls block, so denoising runs in a worker thread that reports each step
through a queue; this generator turns those reports into events. Closing the
generator (the consumer stopped listening, or cancelled) stops the denoising at
the next step.
"""
from __future__ import annotations

import os
import queue
import secrets
import threading
import time
from collections.abc import Generator, Iterator
from contextlib import contextmanager

import numpy as np
import torch
from PIL import Image

from gpu import adapter, buckets, decoding, detection, imaging, modes, objects, quality, schedule, styles
from gpu import fast as fast_mode
from gpu.edges import structure_edges
from gpu.errors import GenerationFailed, InvalidImage, InvalidRequest, NotARoom
from gpu.types import RESOLUTIONS, STAGES, Detection, Event, RestyleRequest, RestyleResult, Variation

# Where each stage's progress lives in [0, 1]: denoising dominates the wall time.
SPANS = {
    "analyzing": (0.0, 0.05),
    "detecting": (0.05, 0.12),
    "generating": (0.12, 0.2),
    "transforming": (0.2, 0.9),
    "finalizing": (0.9, 1.0),
}
GUIDANCE_SCALE = 7.0
CONTROLNET_SCALES = [0.9, 0.6]  # depth holds the geometry; canny only guides, so furniture can change shape
# Where each ControlNet stops, as a fraction of the steps that run. The layout is settled early; the last steps
# refine texture, where the nets add cost (gpu.controlnets skips a finished net) and hold the old furnishing.
CONTROL_GUIDANCE_END = [0.8, 0.6]
PREVIEW_EVERY = 4  # steps
FEATHER_PX = 4  # at 768 px, inside the kept piece's outline: hides the seam, and no old wall survives around it
# A variation that lost the layout is redone from less noise and with a firmer hold on the depth;
# one that came back unchanged, from more noise.
RETRY_LAYOUT_NOISE = 0.6
RETRY_DEPTH_SCALE = 1.2
RETRY_UNCHANGED_NOISE = 1.6
FAST_STEPS = fast_mode.FAST_STEPS  # quick mode: the LCM-LoRA's steps, without guidance (gpu/fast.py)
RETRY_SEED_OFFSET = 1_000_003


def retry_threshold() -> float:
    """The layout score below which a variation is redone once: quality.RETRY_BELOW, unless QUALITY_RETRY_BELOW
    is set (0 never retries a sane image, above 1 retries every one: how tests reach both branches)."""
    value = os.environ.get("QUALITY_RETRY_BELOW", "").strip()
    return float(value) if value else quality.RETRY_BELOW


def run(request: RestyleRequest, models, *, detections: list[Detection] | None = None) -> Iterator[Event]:
    """Restyle one photo. `detections` replaces YOLO when the caller already knows what is in the photo."""
    _validate(request)
    clock = _Clock()
    progress = _Progress()
    style = styles.STYLES[request.style]

    yield progress.event("analyzing", 0.0, "Reading your photo...")
    with clock("analyzing"):
        photo = imaging.decode_photo(request.image, request.resolution)
        pixels = imaging.to_array(photo)
        with clock("reference"):
            reference = reference_embeds(models, request.style_reference)

    yield progress.event("detecting", 0.0, "Looking at the furniture...")
    with clock("detecting"):
        found = detection.detect(models, photo) if detections is None else detection.given(detections)
        # Random detector weights see random things: only a real detector may turn a photo away.
        outdoor = styles.ROOM_TYPES[request.room_type].outdoor if request.room_type else False
        if models.real and not detection.looks_like_room(found.detections, photo.size, outdoor=outdoor):
            raise NotARoom("This photo does not look like a room. Try a photo of an indoor space.")
        detected_room = detection.suggest_room_type(found.detections)
        choices = objects.plan(request, found, photo.size)  # object by object: kept, replaced, removed
        usual = objects.unlisted(found, choices)  # what no choice names follows the design's usual behaviour
        keep = detection.keep_mask(usual, photo.size) if modes.keeps_furniture(request) else None
        # Declutter, edit: only this area is repainted (a declutter's kept objects outside it).
        region = modes.region(request, usual, photo.size, kept=choices.kept if choices else None)

    yield progress.event("generating", 0.0, "Measuring depth and edges...")
    with clock("generating"):
        with clock("depth"):
            depth = estimate_depth(models, [pixels], buckets.placement(photo.size, request.resolution))[0]
            depth = objects.control_depth(depth, choices)  # removed objects: the room's depth behind them
        with clock("edges"):
            # What will be replaced must not have its outline held in place; kept pieces may.
            changed = modes.replaced_boxes(request, usual, region) + (choices.changed_boxes if choices else [])
            edges = structure_edges(pixels, changed)

    positive, negative = modes.build_prompts(request, room_type=request.room_type or detected_room,
                                             tokenizer=models.tokenizer)
    negative = objects.negative_prompt(negative, choices, tokenizer=models.tokenizer)
    job = _Job(request, models, objects.prefill(photo, choices, keep), depth, edges, keep, positive, negative,
               region=region, choices=choices, reference=reference)
    seeds = _seeds(request)

    message = modes.message(request.mode, style.name)
    yield progress.event("transforming", 0.0, message)
    with clock("transforming"):
        raw = yield from job.denoise(seeds, progress, "transforming", message, depth_scale=job.depth_scale)

    yield progress.event("finalizing", 0.0, "Checking the result...")
    with clock("finalizing"):
        with clock("quality"):
            images, checks = job.finish(raw)
        threshold = retry_threshold()
        report = {"threshold": threshold, "retried": False, "retried_variations": [], "first_attempt": {},
                  "retry_reasons": {}, "fp32_decodes": list(job.fp32_decodes)}
        redo = [i for i, check in enumerate(checks) if check.flags or check.score < threshold]
        if redo:
            with clock("retry"):
                yield from job.retry(redo, seeds, images, checks, report, progress)
            report["fp32_decodes"] = list(job.fp32_decodes)
        report["variations"] = [check.to_dict() for check in checks]
        report["scores"] = [round(check.score, 4) for check in checks]
        with clock("encode"):
            png = modes.lossless(request.mode) or objects.lossless(request)
            variations = [_variation(*item, png=png) for item in zip(images, seeds, checks, strict=True)]
            maps = {**_maps(depth, edges, keep, region), **objects.maps(choices)}

    timings = clock.totals()
    result = RestyleResult(
        variations=variations,
        maps=maps,
        timings=timings,
        furniture=detection.furniture(found),
        detected_room_type=detected_room,
        quality=report,
        models=_versions(models, reference is not None),
        device=str(models.device),
        gpu_seconds=timings["total"] if models.device.type == "cuda" else 0.0,
    )
    yield Event(stage="completed", progress=1.0, message="Your design is ready.", result=result)


class _Job:
    """Everything one request's generations share: the photo, its control maps, the prompts."""

    def __init__(self, request, models, photo, depth, edges, keep, positive, negative, *, region=None,
                 choices=None, reference=None) -> None:
        self.request, self.models, self.photo, self.depth = request, models, photo, depth
        self.reference = reference  # the style reference's image embeds (gpu/adapter.py), or None
        self.source = imaging.to_array(photo)
        self.region = region
        self.depth_scale = modes.depth_scale(request.mode)
        held = modes.control_depth(request.mode, depth, region)
        self.control = [imaging.gray_to_rgb_image(_to_uint8(held)), imaging.gray_to_rgb_image(edges)]
        if region is not None:
            keep = 255 - region  # the rest of the photo is kept, through the same inpainting as kept furniture
        usual_keep, keep = keep, objects.with_kept(keep, choices)  # kept objects are held like kept furniture
        # An empty mask means nothing to keep: plain img2img then, not a no-op inpaint.
        self.keep = keep if keep is not None and keep.any() else None
        # The latents hold only the piece shrunk by a latent cell (the repaint area grows past its outline);
        # the paste puts its own pixels back up to that outline, feathered inward.
        self.latent_keep = imaging.latent_keep(self.keep) if self.keep is not None else None
        if self.latent_keep is not None and not self.latent_keep.any():
            self.latent_keep = None  # pieces thinner than a latent cell: img2img, then the paste
        self.weight = imaging.feathered_inward(self.keep, _feather(photo.size)) if self.keep is not None else None
        if region is not None:
            # Feathered into the repainted area, not into the kept photo: outside the region every pixel is the
            # photo's own (weight exactly 1), which an edit promises.
            self.weight = 1.0 - imaging.feathered_inward(region, _feather(photo.size))
        if choices is not None and region is None:  # a region's kept objects are outside it: weight 1 already
            self.weight = objects.paste_weight(usual_keep, choices, _feather(photo.size))
        self.positive, self.negative = positive, negative
        self.fp32_decodes: list[int] = []  # variations whose decode fell back to fp32
        # The denoising runs on a fixed bucket shape; the result is cropped back to the photo (gpu/buckets.py).
        self.placement = buckets.placement(photo.size, request.resolution)
        self.latents: dict[int, torch.Tensor] = {}  # the photo encoded once per VAE, shared by every variation

    def denoise(self, seeds: list[int], progress: _Progress, stage: str, message: str, *, noise: float = 1.0,
                depth_scale: float = CONTROLNET_SCALES[0], indices: list[int] | None = None):
        """All `seeds` in one batched diffusers call; yields step events, returns (H, W, 3) float images.

        Creativity picks the noise level the schedule starts from (gpu.schedule); `noise` scales it.
        Quick mode runs fast.FAST_STEPS steps from that noise, on its own scheduler.
        `indices` names the variations the seeds belong to, for the report.
        """
        request, placement = self.request, self.placement
        inpaint = self.latent_keep is not None
        pipe = self.models.pipe(inpaint=inpaint, fast=request.fast)
        plan = schedule.plan(pipe.scheduler, modes.creativity(request), FAST_STEPS if request.fast else request.steps,
                             noise=noise)
        kwargs = generation_kwargs(
            photo=placement.place(self.photo), control=[placement.place(image) for image in self.control],
            positive=self.positive, negative=self.negative, strength=plan.strength,
            steps=request.steps, fast=request.fast, seeds=seeds,
        )
        kwargs["num_inference_steps"] = plan.num_inference_steps  # exactly plan.steps run, from the planned noise
        kwargs["controlnet_conditioning_scale"] = [depth_scale, *CONTROLNET_SCALES[1:]]
        kwargs["output_type"] = "latent"  # decoded here, so a broken fp16 decode can be redone alone
        if inpaint:
            kwargs["mask_image"] = placement.place(255 - self.latent_keep)  # diffusers repaints the white part
        def prepare(call: dict) -> dict:  # under the models' lock
            call = adapter.apply(pipe, call, self.reference)
            return call if inpaint else self._encoded(pipe, call)

        box = placement.box
        latents = yield from _stream(pipe, kwargs, self.models.lock, progress, stage, message,
                                     preview=lambda latents: self._preview(latents, box), prepare=prepare)
        images = self._decode(pipe, latents, list(range(len(seeds))) if indices is None else indices)
        return [placement.restore(image) for image in images]

    def _decode(self, pipe, latents: list, indices: list[int]) -> list[np.ndarray]:
        stacked = torch.stack(latents)
        with self.models.lock:
            images = decoding.decode(pipe, stacked)
            broken = [k for k, image in enumerate(images) if decoding.decode_failed(image)]
            if broken:
                redone = decoding.decode(pipe, stacked[broken], fp32=True)
                for k, image in zip(broken, redone, strict=True):
                    images[k] = image
        self.fp32_decodes.extend(indices[k] for k in broken)
        return images

    def _encoded(self, pipe, kwargs: dict) -> dict:
        """`kwargs` with the photo as latents, encoded once per VAE for every variation (and the retry).

        diffusers would encode it once per generator, i.e. per variation. The posterior's mode rather than
        a sample: the noise added next is far larger than the VAE's own.
        """
        key = id(pipe.vae)
        if key not in self.latents:
            self.latents[key] = encode_photo(pipe, kwargs["image"])
        batch = len(kwargs["generator"])
        return {**kwargs, "image": self.latents[key].expand(batch, -1, -1, -1)}

    def _preview(self, latents: torch.Tensor, box) -> bytes:
        if self.models.taesd is None:
            return imaging.latent_preview(latents.float().cpu().numpy())
        return fast_mode.preview(self.models.taesd, latents, box)

    def finish(self, raw: list[np.ndarray]) -> tuple[list[np.ndarray], list[quality.Assessment]]:
        """uint8 images with the kept furniture pasted back, and their quality, from the model's float output."""
        images = [_to_uint8(np.nan_to_num(image)) for image in raw]
        if self.weight is not None:
            # The kept pieces' own pixels, through a feathered edge: the VAE round trip alone would blur them.
            images = [imaging.composite(self.source, image, self.weight) for image in images]
        depths = estimate_depth(self.models, images, self.placement)
        checks = [
            quality.assess_mode(self.request.mode, self.source, image, region=self.region, source_depth=self.depth,
                                output_depth=depth, raw=model_output, objects_after=self._objects_after(image))
            for image, depth, model_output in zip(images, depths, raw, strict=True)
        ]
        return images, checks

    def _objects_after(self, image: np.ndarray) -> list:
        """Declutter: the movable objects YOLO finds on the result, to check the cleared area is clear."""
        if self.request.mode != "declutter":
            return []
        found = detection.detect(self.models, Image.fromarray(image))
        return [d.box for d in detection.furniture(found)]

    def retry(self, redo, seeds, images, checks, report, progress):
        """One more try, with a new seed, for the variations that failed, changing what failed; the better is kept.

        Lost layout (or a broken image even in fp32): less noise and more depth guidance. Unchanged: more noise.
        """
        report["retried"] = True
        report["retried_variations"] = redo
        # Came back unchanged, or with an object left in a cleared area: both need more noise.
        unchanged = [i for i in redo if {"unchanged", "objects_remain"} & set(checks[i].flags)]
        groups = {
            "layout": ([i for i in redo if i not in unchanged], RETRY_LAYOUT_NOISE, RETRY_DEPTH_SCALE,
                       "Redoing a variation that drifted from your room's layout..."),
            "unchanged": (unchanged, RETRY_UNCHANGED_NOISE, self.depth_scale,
                          "Redoing a variation that came back unchanged..."),
        }
        for reason, (indices, noise, depth_scale, message) in groups.items():
            if not indices:
                continue
            new_seeds = [(seeds[i] + RETRY_SEED_OFFSET) % 2**32 for i in indices]
            raw = yield from self.denoise(new_seeds, progress, "finalizing", message, noise=noise,
                                          depth_scale=depth_scale, indices=indices)
            for i, seed, image, check in zip(indices, new_seeds, *self.finish(raw), strict=True):
                report["retry_reasons"][str(i)] = reason
                report["first_attempt"][str(i)] = {"seed": seeds[i], **checks[i].to_dict()}
                if _better(check, checks[i]):
                    seeds[i], images[i], checks[i] = seed, image, check


def _better(new: quality.Assessment, old: quality.Assessment) -> bool:
    """A clean result beats a flagged one; between equals, the higher layout score."""
    if bool(new.flags) != bool(old.flags):
        return not new.flags
    return new.score > old.score


def generation_kwargs(*, photo: Image.Image, control: list[Image.Image], positive: str, negative: str,
                      strength: float, steps: int, fast: bool, seeds: list[int]) -> dict:
    """The diffusers call for one batch, for a photo and control maps already on their bucket canvas.

    A schedule of `steps` of which `steps x strength` run; quick mode, one that runs fast.FAST_STEPS steps from
    `strength`. A design's denoise replaces the count with gpu.schedule's plan, which runs exactly the steps
    asked for from the noise level creativity picks (the warm-up keeps these).
    """
    return {
        "prompt": positive,
        "negative_prompt": negative,
        "image": photo,
        "control_image": control,
        "height": photo.height,
        "width": photo.width,
        "strength": strength,
        "num_inference_steps": fast_mode.run_steps(strength) if fast else steps,
        "guidance_scale": fast_mode.FAST_GUIDANCE if fast else GUIDANCE_SCALE,
        "controlnet_conditioning_scale": CONTROLNET_SCALES,
        "control_guidance_end": CONTROL_GUIDANCE_END,
        "num_images_per_prompt": len(seeds),
        # CPU generators: the same seed gives the same design on any GPU.
        "generator": [torch.Generator("cpu").manual_seed(seed) for seed in seeds],
        "output_type": "latent",  # the caller decodes (gpu.decoding: an fp32 second chance for a broken decode)
    }


def reference_embeds(models, data: bytes | None) -> torch.Tensor | None:
    """A style reference decoded like the photo and encoded once, for every denoising call of the request."""
    if data is None:
        return None
    try:
        reference = imaging.decode_photo(data, adapter.REFERENCE_LONG_SIDE)
    except InvalidImage as exc:
        raise InvalidImage(f"Style reference: {exc.message}") from exc
    pipe = models.pipe(inpaint=False, fast=False)
    if not adapter.has_adapter(pipe):
        raise InvalidRequest("This model set has no image-prompt adapter for style references.")
    with models.lock:
        return adapter.encode(pipe, reference)


def _versions(models, referenced: bool) -> dict[str, str]:
    """The models that ran: the image-prompt adapter only when a style reference steered the result."""
    versions = dict(models.versions)
    if not referenced:
        versions.pop("ip_adapter", None)
    return versions


@torch.inference_mode()
def encode_photo(pipe, photo: Image.Image) -> torch.Tensor:
    """The photo as (1, 4, h, w) latents scaled for the UNet, through the pipeline's own VAE."""
    from diffusers.pipelines.stable_diffusion.pipeline_stable_diffusion_img2img import retrieve_latents

    pixels = pipe.image_processor.preprocess(photo, height=photo.height, width=photo.width)
    pixels = pixels.to(pipe.vae.device, pipe.vae.dtype)
    return retrieve_latents(pipe.vae.encode(pixels), sample_mode="argmax") * pipe.vae.config.scaling_factor


def warm_bucket(models, bucket: tuple[int, int], *, batch: int, fast: bool, steps: int = 2,
                reference: bool = False) -> None:
    """One generation at `bucket` x `batch` in the given mode, through the same call a design makes.

    At strength 1 with two steps, the first step runs both ControlNets and the second none (their
    guidance has ended), so both UNet variants, the ControlNets, the decoder and the preview are traced.
    `reference`: with the image-prompt adapter on (its branch is a different graph from the scale-0 one).
    """
    from gpu.compile import warm_photo

    pixels = warm_photo(bucket)
    photo = Image.fromarray(pixels)
    control = [imaging.gray_to_rgb_image(pixels[..., 0]), imaging.gray_to_rgb_image(imaging.canny_edges(pixels))]
    pipe = models.pipe(inpaint=False, fast=fast)
    kwargs = generation_kwargs(photo=photo, control=control, positive="a room", negative="", strength=1.0,
                               steps=steps, fast=fast, seeds=list(range(batch)))
    kwargs["num_inference_steps"] = steps
    with models.lock, torch.inference_mode():
        kwargs["image"] = encode_photo(pipe, photo).expand(batch, -1, -1, -1)
        embeds = adapter.encode(pipe, photo) if reference and adapter.has_adapter(pipe) else None
        latents = pipe(**adapter.apply(pipe, kwargs, embeds)).images
        pipe.vae.decode(latents / pipe.vae.config.scaling_factor)
        if models.taesd is not None:
            fast_mode.preview(models.taesd, latents[0])
    estimate_depth(models, [pixels])  # the photo's and the quality check's depth run at the bucket's shape too


def _stream(pipe, kwargs, lock, progress: _Progress, stage: str, message: str, *, preview=None,
            prepare=None) -> Generator[Event, None, list]:
    updates: queue.Queue = queue.Queue()
    stop = threading.Event()
    make_preview = preview or (lambda latents: imaging.latent_preview(latents.float().cpu().numpy()))

    def on_step(pipe, step: int, timestep, tensors: dict) -> dict:
        if stop.is_set():
            raise _Stopped  # unwinds out of diffusers at once, skipping the VAE decode
        total = max(pipe.num_timesteps, 1)
        image = None
        if (step + 1) % PREVIEW_EVERY == 0 and step + 1 < total:
            image = make_preview(tensors["latents"][0])
        updates.put(("step", (step + 1) / total, image))
        return {}

    def work() -> None:
        try:
            # Another request may hold the GPU for a while: keep noticing a cancel while waiting for it.
            while not lock.acquire(timeout=0.1):
                if stop.is_set():
                    raise _Stopped
            try:
                if stop.is_set():
                    raise _Stopped
                call = prepare(kwargs) if prepare is not None else kwargs
                output = pipe(**call, callback_on_step_end=on_step)
            finally:
                lock.release()
            updates.put(("done", list(output.images), None))
        except _Stopped:
            updates.put(("stopped", None, None))
        except BaseException as exc:  # noqa: BLE001  handed to the consumer's thread, re-raised there
            updates.put(("error", exc, None))

    worker = threading.Thread(target=work, name="restyle-denoise", daemon=True)
    worker.start()
    try:
        while True:
            kind, value, preview = updates.get()
            if kind == "step":
                yield progress.event(stage, value, message, preview=preview)
            elif kind == "done":
                return value
            elif kind == "error":
                error = _generation_error(value)
                raise error from (None if error is value else value)
            else:
                raise GenerationFailed("The generation was stopped.")
    finally:
        stop.set()
        worker.join()  # the pipeline is shared: never leave it running behind the caller's back


class _Stopped(Exception):
    pass


def _generation_error(exc: BaseException) -> Exception:
    if isinstance(exc, torch.cuda.OutOfMemoryError):
        return GenerationFailed("The GPU ran out of memory; try a lower resolution or fewer variations.")
    if isinstance(exc, InvalidRequest):
        return exc
    return GenerationFailed("The image generation failed.")


@torch.inference_mode()
def estimate_depth(models, images: list[np.ndarray], placement: buckets.Placement | None = None) -> list[np.ndarray]:
    """Relative depth (near = 1, far = 0) for same-sized images, as float32 (H, W) at their size.

    With a placement, the model sees each image on its bucket canvas (gpu/buckets.py), so the depth network
    too runs at a handful of shapes; the map is cropped back to the image before it is normalised.
    """
    if not images:
        return []
    canvases = [np.asarray(placement.place(image)) for image in images] if placement is not None else images
    height, width = canvases[0].shape[:2]
    batch = torch.stack([_depth_input(image, models.depth_input_size) for image in canvases])
    with models.lock:
        predicted = models.depth_model(pixel_values=batch.to(models.device, models.dtype)).predicted_depth
    predicted = torch.nn.functional.interpolate(predicted[:, None].float(), size=(height, width), mode="bicubic")
    maps = []
    for depth in predicted[:, 0].cpu().numpy():
        if placement is not None:
            depth = placement.restore(depth)
        low, high = float(depth.min()), float(depth.max())
        maps.append(((depth - low) / (high - low) if high > low else np.zeros_like(depth)).astype(np.float32))
    return maps


# Depth Anything's preprocessing (its preprocessor_config.json): short side to the input
# size, both sides multiples of the ViT's 14-pixel patches, ImageNet normalisation.
_MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
_STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)


def _depth_input(image: np.ndarray, short_side: int) -> torch.Tensor:
    import cv2

    if image.dtype != np.uint8:
        image = (np.nan_to_num(image).clip(0, 1) * 255).astype(np.uint8)
    height, width = image.shape[:2]
    scale = short_side / min(height, width)
    size = (max(14, round(width * scale / 14) * 14), max(14, round(height * scale / 14) * 14))
    resized = cv2.resize(image, size, interpolation=cv2.INTER_CUBIC).astype(np.float32) / 255.0
    return torch.from_numpy(((resized - _MEAN) / _STD).transpose(2, 0, 1).copy())


def _variation(image: np.ndarray, seed: int, check: quality.Assessment, *, png: bool = False) -> Variation:
    picture = Image.fromarray(image)
    return Variation(
        image=imaging.encode_png(picture) if png else imaging.encode_jpeg(picture),
        thumbnail=imaging.encode_jpeg(imaging.thumbnail(picture), quality=85),
        seed=seed,
        width=picture.width,
        height=picture.height,
        quality_score=round(check.score, 4),
    )


def _maps(depth: np.ndarray, edges: np.ndarray, keep: np.ndarray | None,
          region: np.ndarray | None = None) -> dict[str, bytes]:
    maps = {
        "depth": imaging.encode_png(Image.fromarray(_to_uint8(depth))),
        "edges": imaging.encode_png(Image.fromarray(edges)),
    }
    if keep is not None:
        maps["mask"] = imaging.encode_png(Image.fromarray(keep))
    if region is not None:
        maps["region"] = imaging.encode_png(Image.fromarray(region))  # what a declutter or an edit repainted
    return maps


def _to_uint8(values: np.ndarray) -> np.ndarray:
    return (values.clip(0, 1) * 255).round().astype(np.uint8)


def _feather(size: tuple[int, int]) -> int:
    return max(2, round(FEATHER_PX * max(size) / 768))


def _seeds(request: RestyleRequest) -> list[int]:
    base = request.seed if request.seed is not None else secrets.randbelow(2**31)
    return [(base + i) % 2**32 for i in range(request.variations)]


def _validate(request: RestyleRequest) -> None:
    problems = []
    if request.style not in styles.STYLES:
        problems.append(f"unknown style {request.style!r}")
    if request.room_type is not None and request.room_type not in styles.ROOM_TYPES:
        problems.append(f"unknown room type {request.room_type!r}")
    if request.resolution not in RESOLUTIONS:
        problems.append(f"resolution must be one of {', '.join(map(str, RESOLUTIONS))}")
    if not 1 <= request.variations <= 4:
        problems.append("variations must be between 1 and 4")
    if not 0.0 <= request.creativity <= 1.0:
        problems.append("creativity must be between 0 and 1")
    if not 1 <= request.steps <= 100:
        problems.append("steps must be between 1 and 100")
    if request.seed is not None and not 0 <= request.seed < 2**32:
        problems.append("seed must be between 0 and 2**32 - 1")
    problems += modes.validate(request)
    problems += objects.validate(request)
    if problems:
        raise InvalidRequest("; ".join(problems).capitalize() + ".")


class _Progress:
    """Maps (stage, fraction of the stage) to overall progress, which never goes back."""

    def __init__(self) -> None:
        self.value = 0.0

    def event(self, stage: str, fraction: float, message: str, preview: bytes | None = None) -> Event:
        assert stage in STAGES, stage
        start, end = SPANS[stage]
        self.value = max(self.value, round(start + (end - start) * min(max(fraction, 0.0), 1.0), 4))
        return Event(stage=stage, progress=self.value, message=message, preview=preview)


class _Clock:
    """Wall time per named section; sections may nest."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str):
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start

    def totals(self) -> dict[str, float]:
        totals = {name: round(seconds, 4) for name, seconds in self.seconds.items()}
        totals["total"] = round(time.perf_counter() - self.started, 4)
        return totals
