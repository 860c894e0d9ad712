"""Timings of the restyle pipeline as the product runs it: `python -m gpu.bench`.

    python -m gpu.bench --profile tiny                 # CPU: the pipeline's own overhead + whole tiny runs
    python -m gpu.bench --random-weights sd15          # GPU: real SD 1.5 sizes, random weights (no download)
    python -m gpu.bench --profile sd15                 # GPU: the real checkpoints

What it prints, in order: the versions, device and dtype; the CPU overhead around the models; the cold
start (a new process, from its start to the first event of its first request, with the same compile and
warm-up settings); the compile + warm-up time, on its own line; then one row per shape bucket x batch x
mode (standard, quick, with --cond-only the standard mode with ControlNets on the conditional half, and with
--reference the standard mode steered by a style reference photo through the image-prompt adapter).

Every row is timed after its own warm-up run, with torch.cuda.synchronize() before and after. "s/image"
is the whole request (decode, detection, depth, edges, denoising, quality check, encoding) divided by
the variations, without the quality retry, which random weights always trigger; "denoise" is the
batched diffusers call alone. "layout" is the mean structure score (gpu/quality.py): with random
weights it measures nothing about quality, only that the numbers come out.
"""
from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from PIL import Image

from gpu import buckets, imaging, quality
from gpu.types import RestyleRequest

# The repository's own fixture photo (tests/ is not in the container image: pass --photo there).
DEFAULT_PHOTO = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "rooms" / "living-room-cluttered.jpg"
FIRST_EVENT = "first-event"


@dataclass(frozen=True)
class Case:
    resolution: int
    bucket: tuple[int, int]
    variations: int
    mode: str  # "standard", "quick", "cond-only", "reference"

    @property
    def fast(self) -> bool:
        return self.mode == "quick"


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    if args.first_event:
        return _first_event_child(args)
    photo = args.photo.read_bytes()
    print(f"photo: {args.photo.name} ({_size(photo)}), {len(photo) / 1e6:.1f} MB")

    from gpu import compile, loading

    profile = args.random_weights and "sd15-random" or args.profile
    loaded = loading.load(profile, args.device)
    print(_versions(loaded))
    print_overhead(photo, repeats=args.repeats)
    if args.cold_start:
        print_cold_start(args, profile)
    report = compile.prepare(loaded, compile=args.compile, warmup=args.compile, mode=args.mode)
    if report.compiled:
        print(f"compile: {report.compile_seconds:.1f} s to compile and warm {len(report.warmed)} shapes "
              f"(mode {report.mode}, backend {compile.compile_backend()}, QKV fused: {report.fused_qkv})")
    else:
        print(f"compile: off (eager){'; QKV fused' if report.fused_qkv else ''}")
    cases = [
        Case(resolution, bucket, variations, mode)
        for resolution in args.resolutions
        for bucket in _buckets(resolution, args.buckets, photo)
        for variations in args.variations
        for mode in ("standard", "quick", *(("cond-only",) if args.cond_only else ()),
                     *(("reference",) if args.reference else ()))
    ]
    base = RestyleRequest(image=photo, style="scandinavian", seed=1234, steps=args.steps, creativity=0.6)
    print_generation(loaded, base, cases, repeats=args.repeats, compiled=report.compiled)
    return 0


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m gpu.bench", description="Timings of the pipeline.")
    parser.add_argument("--profile", choices=("tiny", "sd15"), default=None, help="default: MODEL_PROFILE or auto")
    parser.add_argument("--random-weights", choices=("sd15",), help="real SD 1.5 sizes with random weights")
    parser.add_argument("--device", help="cpu, cuda (default: CUDA when present)")
    parser.add_argument("--photo", type=Path, default=DEFAULT_PHOTO)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--repeats", type=int, help="timed runs per row (default: 3 on a GPU, 1 on a CPU)")
    parser.add_argument("--resolutions", type=int, nargs="+", help="default: 512 768 on a GPU, 512 on a CPU")
    parser.add_argument("--variations", type=int, nargs="+", help="batch sizes (default: 1 4 on a GPU, 1 on a CPU)")
    parser.add_argument("--buckets", choices=("all", "photo"), default="all",
                        help="every bucket of each resolution (the photo cropped to its shape), or the photo's own")
    parser.add_argument("--compile", type=_yes_no, help="torch.compile + warm-up on/off (default: RESTYLE_COMPILE)")
    parser.add_argument("--mode", help="torch.compile mode (default: RESTYLE_COMPILE_MODE)")
    parser.add_argument("--cond-only", action="store_true", help="also time ControlNets on the conditional half")
    parser.add_argument("--reference", action="store_true",
                        help="also time the standard mode with a style reference (the photo itself)")
    parser.add_argument("--no-cold-start", dest="cold_start", action="store_false", help="skip the cold start")
    parser.add_argument("--first-event", action="store_true", help=argparse.SUPPRESS)  # the cold-start child
    args = parser.parse_args(argv)
    import torch

    gpu = (args.device or ("cuda" if torch.cuda.is_available() else "cpu")).startswith("cuda")
    args.resolutions = args.resolutions or ([512, 768] if gpu else [512])
    args.variations = args.variations or ([1, 4] if gpu else [1])
    args.repeats = args.repeats or (3 if gpu else 1)
    return args


def _yes_no(text: str) -> bool:
    if text not in ("on", "off"):
        raise argparse.ArgumentTypeError("use on or off")
    return text == "on"


def _versions(models) -> str:
    import diffusers
    import torch

    dtype = str(models.dtype).replace("torch.", "")
    return (f"models: profile {models.profile} on {_device_name(models)}, {dtype}; "
            f"torch {torch.__version__}, diffusers {diffusers.__version__}")


def print_overhead(photo: bytes, *, repeats: int) -> None:
    """The CPU work every request pays around the models, on the full-size photo."""
    image = imaging.decode_photo(photo, 768)
    pixels = imaging.to_array(image)
    edges = imaging.canny_edges(pixels)
    placed = buckets.placement(image.size, 768)
    canvas = np.asarray(placed.place(image), dtype=np.float32) / 255

    def encode() -> bytes:
        return imaging.encode_jpeg(image) + imaging.encode_jpeg(imaging.thumbnail(image))

    rows: list[tuple[str, Callable[[], object]]] = [
        ("decode + EXIF + resize to 768", lambda: imaging.decode_photo(photo, 768)),
        ("decode + EXIF + resize to 1024", lambda: imaging.decode_photo(photo, 1024)),
        ("canny edges 768", lambda: imaging.canny_edges(pixels)),
        ("bucket place + restore 768", lambda: placed.restore(np.asarray(placed.place(image)) + canvas)),
        ("quality check 768 (no depth)", lambda: quality.assess(pixels, pixels)),
        ("JPEG encode 768 + thumbnail", encode),
        ("PNG encode edge map", lambda: imaging.encode_png(imaging.gray_to_rgb_image(edges))),
    ]
    count = max(repeats, 5)
    print(f"\npipeline overhead, CPU, median of {count}")
    print(f"  {'step':34} {'ms':>8}")
    for name, work in rows:
        print(f"  {name:34} {_median(work, count) * 1000:8.1f}")


def print_cold_start(args: argparse.Namespace, profile: str) -> None:
    """A new process: interpreter, imports, loading, compile + warm-up as configured, then the first event."""
    command = [sys.executable, "-m", "gpu.bench", "--first-event", "--photo", str(args.photo), "--steps",
               str(args.steps), "--resolutions", str(args.resolutions[0])]
    if profile:
        command += ["--random-weights", "sd15"] if profile == "sd15-random" else ["--profile", profile]
    if args.device:
        command += ["--device", args.device]
    if args.compile is not None:
        command += ["--compile", "on" if args.compile else "off"]
    started = time.monotonic()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=os.environ.copy())
    seconds = None
    for line in child.stdout:
        if line.strip() == FIRST_EVENT and seconds is None:
            seconds = time.monotonic() - started
    child.wait()
    if seconds is None:
        print(f"cold start: failed (exit status {child.returncode})")
    else:
        print(f"cold start: {seconds:.1f} s from process start to the first event of the first request")


def _first_event_child(args: argparse.Namespace) -> int:
    from gpu import compile, loading, pipeline

    loaded = loading.load(args.random_weights and "sd15-random" or args.profile, args.device)
    compile.prepare(loaded, compile=args.compile, warmup=args.compile)
    request = RestyleRequest(image=args.photo.read_bytes(), style="scandinavian", seed=1, steps=args.steps,
                             resolution=args.resolutions[0])
    for index, _event in enumerate(pipeline.run(request, loaded)):
        if index == 0:
            print(FIRST_EVENT, flush=True)
    return 0


def print_generation(models, base: RestyleRequest, cases: list[Case], *, repeats: int, compiled: bool) -> None:
    from gpu import pipeline

    print(f"\ngeneration: {base.steps} steps from creativity's planned noise "
          f"(quick: {pipeline.FAST_STEPS} steps, no guidance), two ControlNets, "
          f"compile {'on' if compiled else 'off'}; median of {repeats} after a warm-up run")
    print(f"  {'res':>4} {'bucket':>9} {'batch':>5} {'mode':9} {'steps':>5} {'denoise':>8} {'s/image':>8} "
          f"{'s/request':>9} {'layout':>6}")
    controlnets = models.pipe(inpaint=False, fast=False).controlnet
    for case in cases:
        request = replace(base, image=_photo_for(base.image, case.bucket), resolution=case.resolution,
                          fast=case.fast, variations=case.variations,
                          style_reference=base.image if case.mode == "reference" else None)
        controlnets.cond_only = case.mode == "cond-only"
        try:
            runs = [_timed_run(models, request) for _ in range(repeats + 1)][1:]  # the first run warms up
        finally:
            controlnets.cond_only = False
        denoise = statistics.median(run["transforming"] for run in runs)
        per_request = statistics.median(run["request"] for run in runs)
        layout = statistics.mean(run["layout"] for run in runs)
        steps = runs[0]["steps"]
        print(f"  {case.resolution:4} {case.bucket[0]:>4}x{case.bucket[1]:<4} {case.variations:5} {case.mode:9} "
              f"{steps:5} {denoise:8.3f} {per_request / case.variations:8.3f} {per_request:9.3f} {layout:6.3f}")
        sys.stdout.flush()


def _timed_run(models, request: RestyleRequest) -> dict:
    from gpu import pipeline

    pipe = models.pipe(inpaint=False, fast=request.fast)
    _synchronize(models)
    started = time.perf_counter()
    result = list(pipeline.run(request, models))[-1].result
    _synchronize(models)
    seconds = time.perf_counter() - started
    timings = result.timings
    return {
        "transforming": timings["transforming"],
        "request": seconds - timings.get("retry", 0.0),
        "layout": statistics.mean(result.quality["scores"]),
        "steps": pipe.num_timesteps,  # the steps that ran: the schedule x strength
    }


def _synchronize(models) -> None:
    import torch

    if models.device.type == "cuda":
        torch.cuda.synchronize(models.device)


def _buckets(resolution: int, which: str, photo: bytes) -> list[tuple[int, int]]:
    if which == "all":
        return buckets.buckets_for(resolution)
    with Image.open(io.BytesIO(photo)) as image:
        return [buckets.nearest_bucket(*image.size, resolution)]


def _photo_for(photo: bytes, bucket: tuple[int, int]) -> bytes:
    """The photo, centre-cropped to the bucket's aspect ratio, so the run lands in that bucket."""
    image = imaging.decode_photo(photo, 1024)
    ratio = bucket[0] / bucket[1]
    width, height = image.size
    if width / height > ratio:
        crop = round(height * ratio)
        image = image.crop(((width - crop) // 2, 0, (width - crop) // 2 + crop, height))
    else:
        crop = round(width / ratio)
        image = image.crop((0, (height - crop) // 2, width, (height - crop) // 2 + crop))
    return imaging.encode_jpeg(image)


def _median(work: Callable[[], object], repeats: int) -> float:
    work()
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def _size(photo: bytes) -> str:
    with Image.open(io.BytesIO(photo)) as image:
        return f"{image.width}x{image.height}, {image.width * image.height / 1e6:.1f} MP"


def _device_name(models) -> str:
    import torch

    if models.device.type == "cuda":
        return f"{models.device} ({torch.cuda.get_device_name(models.device)})"
    return f"cpu ({torch.get_num_threads()} threads)"


if __name__ == "__main__":
    sys.exit(main())
