from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from designs.files import file_save
from designs.models import Design, DesignResult, Status
from tests.dashboard.conftest import jpeg
from tests.designs.conftest import worker_control  # noqa: F401  (the real in-process worker fixture)

REPO = Path(__file__).resolve().parents[2]


def stored_design(*, owner=None, guest_key: str = "", status: str = Status.COMPLETED, results: int = 1,
                  **fields) -> Design:
    """A finished design with every kind of file the worker stores: photo, results, thumbnails, control maps."""
    design = Design(owner=owner, guest_key=guest_key, status=status, style="japandi", original_width=320,
                    original_height=240, deadline_at=timezone.now() + timedelta(minutes=10), **fields)
    prefix = design.storage_prefix
    design.original.name = file_save(f"{prefix}/original.jpg", jpeg())
    design.maps = {"depth": file_save(f"{prefix}/depth-a1.png", b"png"), "canny": file_save(f"{prefix}/canny-a1.png",
                                                                                            b"png")}
    design.save(force_insert=True)
    for index in range(results):
        DesignResult.objects.create(
            design=design, index=index, seed=index, width=320, height=240, quality_score=0.9,
            image=file_save(f"{prefix}/result-{index + 1}-a1.jpg", jpeg()),
            thumbnail=file_save(f"{prefix}/thumb-{index + 1}-a1.jpg", jpeg((160, 120))),
        )
    return design


def stored_files(design: Design) -> list[Path]:
    """What is on disk under the design's folder (tests use local storage)."""
    folder = Path(settings.MEDIA_ROOT) / design.storage_prefix
    return sorted(folder.glob("*")) if folder.exists() else []


def scrape(client, **extra) -> dict[tuple[str, tuple], float]:
    """GET /metrics and index its samples by (name, sorted labels)."""
    response = client.get("/metrics", **extra)
    assert response.status_code == 200, response.content
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def sample(samples: dict, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)
