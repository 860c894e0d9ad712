"""The compiled path (gpu/compile.py) on a CPU, at the smallest bucket: whole graphs, same pixels as eager.

Inductor's code generation takes minutes on a small shared CPU, so the test compiles with the "eager"
backend: TorchDynamo captures the same graphs, with fullgraph=True (a graph break fails), and its guards
decide recompiles exactly as they would on a GPU. `python -m gpu.bench --compile on` runs inductor itself.
"""
from __future__ import annotations

import io

import numpy as np
import torch
from PIL import Image

from gpu import buckets, compile, pipeline
from tests.gpu.support import decode, make_request, run_to_end, tiny_models


def _smallest_bucket_photo() -> bytes:
    width, height = buckets.smallest_bucket(512)
    y, x = np.mgrid[0:height * 2, 0:width * 2]
    pixels = np.stack([x % 256, y % 256, (x // 4 + y // 4) % 256], axis=2).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "PNG")
    return buffer.getvalue()


def _pixels(result) -> np.ndarray:
    return np.asarray(decode(result.variations[0].image), dtype=np.int16)


def test_it_gives_the_eager_result_from_compiled_graphs_without_recompiling_for_new_scales(monkeypatch):
    # The worst case: a TorchDynamo that bakes Python floats into graphs (older releases did by default), so
    # a scale reaching a compiled net would recompile it. gpu.controlnets keeps scales out of the graphs.
    monkeypatch.setattr(torch._dynamo.config, "specialize_float", True)
    captured = []

    def counting_backend(graph, example_inputs):  # TorchDynamo's "eager" backend, counting what it captures
        captured.append(graph)
        return graph.forward

    # Strength 0.9 of 3 steps runs 2: the first with both ControlNets, the second after their guidance ended.
    request = make_request(image=_smallest_bucket_photo(), steps=3, creativity=1.0, seed=3)
    eager = run_to_end(request)[-1].result
    models = tiny_models()
    compile.compile_models(models, mode=None, backend=counting_backend)
    try:
        compiled = run_to_end(request)[-1].result
        graphs = len(captured)
        monkeypatch.setattr(pipeline, "CONTROLNET_SCALES", [0.5, 0.25])
        run_to_end(request)
    finally:
        compile.uncompile(models)

    # The UNet with and without ControlNet residuals, the ControlNet (both nets share one graph: their weights
    # are graph inputs, and neither sees its scale), the VAE decoder.
    assert graphs == 4
    assert len(captured) == graphs  # new ControlNet scales reuse every graph
    assert np.abs(_pixels(compiled) - _pixels(eager)).max() <= 2
