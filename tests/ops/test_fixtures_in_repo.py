"""The suite and the benchmarks read their photos from the repository itself: any clone can run `make test`."""
from __future__ import annotations

import re
from pathlib import Path

from tests.ops.conftest import REPO


def test_it_carries_the_fixture_photos_and_their_licence():
    from gpu import bench
    from tests.designs import conftest as designs
    from tests.gpu import support
    from tests.load import bench as load

    photos = [support.BIG_PHOTO, support.RENDER_PHOTO, designs.BIG_PHOTO, designs.RENDER_PHOTO, bench.DEFAULT_PHOTO,
              load.FIXTURE]
    for photo in photos:
        assert photo.resolve().is_relative_to(REPO / "tests" / "fixtures"), photo
        assert photo.is_file(), photo
    assert (REPO / "tests" / "fixtures" / "rooms" / "LICENSE-roomGPT.txt").is_file()


def test_nothing_reads_files_beside_the_repository():
    # A path built from the repository's parent ("../shared", parents[2] / "shared"...) works only on the machine
    # where that folder happens to exist.
    outside = re.compile(r"\.\./shared/fixtures|[\"']shared[\"']\s*/|\bROOT\.parent\b")
    sources = [*REPO.glob("tests/**/*.py"), *REPO.glob("gpu/**/*.py"), REPO / "README.md", REPO / "Makefile"]
    offenders = [str(path.relative_to(REPO)) for path in sources
                 if path.resolve() != Path(__file__).resolve() and outside.search(path.read_text())]
    assert offenders == []
