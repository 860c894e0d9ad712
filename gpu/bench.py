"""Per-stage timings of the restyle pipeline: `python -m gpu.bench`.

    python -m gpu.bench --profile tiny                 # CPU: the pipeline's own overhead + whole tiny runs
    python -m gpu.bench --random-weights sd15          # GPU: real SD 1.5 sizes, random weights (no download)
    python -m gpu.bench --profile sd15                 # GPU: the real checkpoints

Generation is timed on the transforming stage (the batched img2img call with both
ControlNets, guidance on), reported per image and per request; the quality retry,
which random weights always trigger, is not part of it.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from gpu import imaging, quality
from gpu.types import RestyleRequest

# The repository's own fixture photo (tests/ is not in the container image: pass --photo there).
DEFAULT_PHOTO = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "rooms" / "living-room-cluttered.jpg"


@dataclass(frozen=True)
class Case:
    resolution: int
    fast: bool
    variations: int
    compiled: bool

    @property
    def schedule(self) -> str:
        return "fast" if self.fast else "full"


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    photo = args.photo.read_bytes()
    print(f"photo: {args.photo.name} ({_size(photo)}), {len(photo) / 1e6:.1f} MB")
    print_overhead(photo, repeats=args.repeats)

    from gpu import models

    loaded = models.load(args.random_weights and "sd15-random" or args.profile, args.device)
    on_gpu = loaded.device.type == "cuda"
    print(f"\nmodels: profile {loaded.profile} on {_device_name(loaded)}, {loaded.dtype}".replace("torch.", ""))
    base = RestyleRequest(image=photo, style="scandinavian", seed=1234, steps=args.steps, creativity=0.6)
    print_stages(loaded, replace(base, resolution=args.resolutions[-1]), repeats=args.repeats)

    compile_modes = args.compile if args.compile is not None else ([False, True] if on_gpu else [False])
    cases = [
        Case(resolution, fast, variations, compiled)
        for compiled in compile_modes  # compiling replaces modules in place: uncompiled cases run first
        for resolution in args.resolutions
        for fast in (False, True)
        for variations in args.variations
    ]
    print_generation(loaded, base, cases, repeats=args.repeats)
    return 0


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m gpu.bench", description="Per-stage timings of the pipeline.")
    parser.add_argument("--profile", choices=("tiny", "sd15"), default=None, help="default: MODEL_PROFILE or auto")
    parser.add_argument("--random-weights", choices=("sd15",), help="real SD 1.5 sizes with random weights")
    parser.add_argument("--device", help="cpu, cuda (default: CUDA when present)")
    parser.add_argument("--photo", type=Path, default=DEFAULT_PHOTO)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--resolutions", type=int, nargs="+", help="default: 512 768 on a GPU, 768 on a CPU")
    parser.add_argument("--variations", type=int, nargs="+", help="default: 1 4 on a GPU, 1 on a CPU")
    parser.add_argument("--compile", type=_yes_no, nargs="+", help="torch.compile on/off (default: both on a GPU)")
    args = parser.parse_args(argv)
    import torch

    gpu = (args.device or ("cuda" if torch.cuda.is_available() else "cpu")).startswith("cuda")
    args.resolutions = args.resolutions or ([512, 768] if gpu else [768])
    args.variations = args.variations or ([1, 4] if gpu else [1])
    return args


def _yes_no(text: str) -> bool:
    if text not in ("on", "off"):
        raise argparse.ArgumentTypeError("use on or off")
    return text == "on"


def print_overhead(photo: bytes, *, repeats: int) -> None:
    """The CPU work every request pays around the models, on the full-size photo."""
    image = imaging.decode_photo(photo, 768)
    pixels = imaging.to_array(image)
    edges = imaging.canny_edges(pixels)

    def encode() -> bytes:
        return imaging.encode_jpeg(image) + imaging.encode_jpeg(imaging.thumbnail(image))

    rows: list[tuple[str, Callable[[], object]]] = [
        ("decode + EXIF + resize to 768", lambda: imaging.decode_photo(photo, 768)),
        ("decode + EXIF + resize to 1024", lambda: imaging.decode_photo(photo, 1024)),
        ("canny edges 768", lambda: imaging.canny_edges(pixels)),
        ("quality check 768 (no depth)", lambda: quality.assess(pixels, pixels)),
        ("JPEG encode 768 + thumbnail", encode),
        ("PNG encode edge map", lambda: imaging.encode_png(imaging.gray_to_rgb_image(edges))),
        ("latent preview (96x72 latents)", lambda: imaging.latent_preview(np.zeros((4, 72, 96), np.float32))),
    ]
    print(f"\npipeline overhead, CPU, median of {max(repeats, 5)}")
    print(f"  {'step':34} {'ms':>8}")
    for name, work in rows:
        print(f"  {name:34} {_median(work, max(repeats, 5)) * 1000:8.1f}")


def print_stages(models, request: RestyleRequest, *, repeats: int) -> None:
    from gpu import pipeline

    runs = []
    for _ in range(repeats + 1):  # the first run warms up kernels and caches
        events = list(pipeline.run(request, models))
        runs.append(events[-1].result.timings)
    cold, warm = runs[0], runs[1:]
    print(f"\nwhole run, {request.resolution}px, {request.steps} steps, 1 variation (median of {len(warm)}; "
          f"first run {cold['total']:.2f}s)")
    print(f"  {'stage':16} {'seconds':>8}")
    for stage in cold:
        print(f"  {stage:16} {statistics.median(t.get(stage, 0.0) for t in warm):8.3f}")


def print_generation(models, base: RestyleRequest, cases: list[Case], *, repeats: int) -> None:
    from gpu import pipeline

    print(f"\ngeneration: img2img + depth & canny ControlNets, guidance on, median of {repeats}")
    print(f"  {'res':>5} {'schedule':9} {'steps':>5} {'batch':>5} {'compile':7} {'s/image':>8} {'s/request':>9}")
    compiled = False
    for case in cases:
        if case.compiled and not compiled:
            compile_models(models)
            compiled = True
        request = replace(base, resolution=case.resolution, fast=case.fast, variations=case.variations)
        seconds = []
        for _ in range(repeats + 1):
            result = list(pipeline.run(request, models))[-1].result
            seconds.append(result.timings["transforming"])
        per_request = statistics.median(seconds[1:])
        steps = min(request.steps, pipeline.FAST_STEPS) if case.fast else request.steps
        print(f"  {case.resolution:5} {case.schedule:9} {steps:5} {case.variations:5} "
              f"{'on' if case.compiled else 'off':7} {per_request / case.variations:8.3f} {per_request:9.3f}")
        sys.stdout.flush()


def compile_models(models) -> None:
    """torch.compile the UNet and both ControlNets, shared by every pipeline of this model set."""
    import torch

    pipe = models.pipe(inpaint=False, fast=False)
    unet = torch.compile(pipe.unet, fullgraph=False)
    for index, net in enumerate(pipe.controlnet.nets):
        pipe.controlnet.nets[index] = torch.compile(net, fullgraph=False)
    for each in models.pipes.values():
        each.unet = unet


def _median(work: Callable[[], object], repeats: int) -> float:
    work()
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def _size(photo: bytes) -> str:
    import io

    from PIL import Image

    with Image.open(io.BytesIO(photo)) as image:
        return f"{image.width}x{image.height}, {image.width * image.height / 1e6:.1f} MP"


def _device_name(models) -> str:
    import torch

    if models.device.type == "cuda":
        return f"{models.device} ({torch.cuda.get_device_name(models.device)})"
    return f"cpu ({torch.get_num_threads()} threads)"


if __name__ == "__main__":
    sys.exit(main())
