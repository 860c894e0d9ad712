"""The local backend runs the pipeline in this process, behind the same interface as Modal."""
from __future__ import annotations

import subprocess
import sys

from gpu.backends import get_backend
from tests.gpu.support import make_request


def test_it_streams_the_pipeline_events_through_get_backend():
    backend = get_backend("local", profile="tiny", device="cpu")

    events = list(backend.restyle(make_request(variations=2)))

    assert backend.name == "local"
    assert events[-1].stage == "completed"
    assert len(events[-1].result.variations) == 2


def test_it_does_not_import_torch_until_a_restyle_starts():
    # The web process builds the backend from settings; it must stay free of torch.
    code = (
        "import sys; from gpu.backends import get_backend; from gpu import weights; "
        "get_backend('local'); weights.active_profile(); print('torch' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)

    assert done.stdout.strip() == "False", done.stderr
