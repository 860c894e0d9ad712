"""The Dockerfile's gpu-serve target: CUDA base, the pipeline's pins and the server's, weights baked in at build
time and the network off at run time, non-root, `python -m gpu.serve` on all interfaces."""
from __future__ import annotations

from tests.ops.conftest import REPO


def stage(name: str) -> str:
    text = (REPO / "Dockerfile").read_text()
    blocks = text.split("\nFROM ")
    return next(block for block in blocks if block.split("\n", 1)[0].endswith(f" AS {name}"))


def test_it_builds_the_gpu_server_from_a_cuda_base_with_the_weights_baked_in():
    gpu = stage("gpu-serve")
    assert gpu.startswith("nvidia/cuda:")
    assert "pip install --require-hashes --no-deps -r /tmp/serve.lock" in gpu
    lines = gpu.splitlines()
    fetch = next(i for i, line in enumerate(lines) if "python -m gpu.fetch_models" in line)
    offline = next(i for i, line in enumerate(lines) if "HF_HUB_OFFLINE=1" in line)
    assert fetch < offline and "MODEL_PROFILE=sd15" in lines[offline]
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and not users[-1].startswith(("0", "root"))
    assert lines[-1].startswith('CMD ["python", "-m", "gpu.serve", "--host", "0.0.0.0"')

