"""The hashed lock files: what `make lock` would write, one version of a package across them, one OpenCV, open_clip
for the tests only, and used by every install (make, the Dockerfile, the Modal image)."""
from __future__ import annotations

import re
import subprocess
import sys
from importlib import metadata

from packaging.markers import Marker

from tests.ops.conftest import REPO

LOCKS = ("dev", "bootstrap", "run", "base", "gpu", "serve")
# The images' and developers' machines: Linux with the image's Python 3.11, and the gpu-serve image's 3.12.
PLATFORMS = [{"sys_platform": "linux", "platform_system": "Linux", "platform_machine": "x86_64",
              "python_version": v, "python_full_version": f"{v}.0", "platform_python_implementation": "CPython",
              "implementation_name": "cpython"} for v in ("3.11", "3.12")]


def installed(lock: str, platform: dict) -> dict[str, str]:
    """{package: version} that an install of the lock on `platform` gets."""
    text = (REPO / "requirements" / f"{lock}.lock").read_text()
    packages = {}
    for name, version, marker in re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)(?: ; ([^\\\n]+))?", text, flags=re.M):
        if not marker or Marker(marker.strip()).evaluate(platform):
            packages[name.lower().replace("_", "-")] = version
    return packages


def test_it_keeps_the_lock_files_what_make_lock_writes():
    result = subprocess.run([sys.executable, "requirements/lock.py", "--check"], cwd=REPO, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def test_it_pins_every_package_with_its_hashes():
    for lock in LOCKS:
        blocks = re.split(r"\n(?=[A-Za-z0-9])", (REPO / "requirements" / f"{lock}.lock").read_text())
        requirements = [block for block in blocks if not block.startswith("#")]
        assert requirements, lock
        for block in requirements:
            assert re.match(r"[A-Za-z0-9_.-]+==", block) and "--hash=sha256:" in block, (lock, block[:200])


def test_it_gives_a_package_the_same_version_in_every_lock():
    for platform in PLATFORMS:
        dev = installed("dev", platform)
        for lock in LOCKS:
            mine = installed(lock, platform)
            assert {name: dev.get(name) for name in mine} == mine, lock


def test_it_installs_one_opencv_and_open_clip_only_for_the_tests():
    for platform in PLATFORMS:
        for lock in LOCKS:
            packages = installed(lock, platform)
            assert "opencv-python" not in packages, lock
            assert ("opencv-python-headless" in packages) == (lock in ("dev", "run", "gpu", "serve")), lock
            assert ("open-clip-torch" in packages) == (lock == "dev"), lock
        assert "torch" not in installed("base", platform)


def test_the_venv_holds_no_second_opencv():
    names = {dist.metadata["Name"].lower() for dist in metadata.distributions()}
    assert "opencv-python-headless" in names and "opencv-python" not in names


def test_every_install_uses_a_lock_with_hashes():
    makefile = (REPO / "Makefile").read_text()
    assert "SYNC = $(UV) pip sync --python $(PY) --require-hashes --compile-bytecode" in makefile
    assert "$(SYNC) requirements/dev.lock" in makefile and "$(SYNC) requirements/run.lock" in makefile
    dockerfile = (REPO / "Dockerfile").read_text()
    assert "--require-hashes --no-deps --only-binary=:all: -r /tmp/base.lock" in dockerfile
    assert "--require-hashes --no-deps -r /tmp/serve.lock" in dockerfile
    assert not re.search(r"-r \S+\.txt", dockerfile)
