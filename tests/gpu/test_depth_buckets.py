"""The depth network runs at the bucket's shape too, and its map comes back at the photo's size."""
from __future__ import annotations

import numpy as np

from gpu import buckets
from gpu.pipeline import estimate_depth
from tests.gpu.support import tiny_models


def test_it_runs_depth_at_one_shape_per_bucket_and_returns_the_photos_size():
    models = tiny_models()
    shapes = []
    hook = models.depth_model.register_forward_hook(lambda module, args, kwargs, output: shapes.append(
        tuple(kwargs["pixel_values"].shape)), with_kwargs=True)
    sizes = [(512, 372), (512, 384), (512, 400)]  # three aspect ratios, all in the 4:3 bucket
    try:
        maps = []
        for width, height in sizes:
            photo = np.random.default_rng(width + height).integers(0, 256, (height, width, 3), dtype=np.uint8)
            placement = buckets.placement((width, height), 512)
            assert placement.bucket == (512, 384)
            maps.append(estimate_depth(models, [photo], placement)[0])
    finally:
        hook.remove()

    assert len(set(shapes)) == 1
    assert [depth.shape for depth in maps] == [(height, width) for width, height in sizes]
    for depth in maps:  # normalised over the photo's own part, not the mirrored border
        assert depth.min() == 0.0 and depth.max() == 1.0
