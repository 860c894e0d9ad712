"""Compile the hashed lock files from the requirements (`make lock`), or check that they match (`make lock-check`).

One lock per install target, each the whole closure with a hash for every file, so every build installs the
same versions:

    bootstrap.lock  uv, the local venv's installer           make (pip --require-hashes), before the others
    run.lock        base + gpu: `make run`                    uv pip sync
    dev.lock        everything, tests and tools: `make test`  uv pip sync
    base.lock       web and worker                            Dockerfile (default target)
    gpu.lock        the pipeline                              Modal image (gpu/modal_app.py)
    serve.lock      gpu + its HTTP server                     Dockerfile (gpu-serve target)

dev.lock is compiled first, and every other lock with it as a constraint, so a package has the same version in
every lock (the one the tests ran with). The locks are universal (Linux, macOS, Python 3.11 and the 3.12 of the
gpu-serve image). overrides.txt drops ultralytics' opencv-python: opencv-python-headless is the only OpenCV.

Recompiling keeps the pins already in a lock unless its requirements changed (uv prefers the versions in the
output file), so the check fails only when someone edited requirements/*.txt and did not run `make lock`. To
move every unpinned package to its newest version: `make lock UPGRADE=1`.
"""
from __future__ import annotations

import argparse
import difflib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
# dev first; the others are constrained by it.
TARGETS = ("dev", "bootstrap", "run", "base", "gpu", "serve")


def uv() -> str:
    found = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if not found:
        sys.exit("uv is not installed: `make install-dev` installs it (requirements/bootstrap.txt)")
    return found


def compile_command(target: str, *, upgrade: bool = False) -> list[str]:
    constraint = ["--constraint", "requirements/dev.lock"] if target != "dev" else []
    return [uv(), "pip", "compile", "--quiet", "--universal", "--generate-hashes", "--python-version", "3.11",
            "--custom-compile-command", "make lock", "--override", "requirements/overrides.txt", *constraint,
            *(["--upgrade"] if upgrade else []), f"requirements/{target}.txt",
            "--output-file", f"requirements/{target}.lock"]


def compile_all(root: Path, *, upgrade: bool = False) -> None:
    """Write requirements/<target>.lock under `root` (a folder holding a requirements/ folder)."""
    subprocess.run(compile_command("dev", upgrade=upgrade), cwd=root, check=True)
    # The others only read dev.lock: compiled side by side.
    others = {target: subprocess.Popen(compile_command(target), cwd=root) for target in TARGETS if target != "dev"}
    failed = [target for target, process in others.items() if process.wait() != 0]
    if failed:
        sys.exit(f"uv could not compile: {', '.join(failed)}")


def check() -> int:
    """Compile into a copy of requirements/ and compare: 0 when every lock is what `make lock` would write."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "requirements"
        shutil.copytree(HERE, copy, ignore=shutil.ignore_patterns("__pycache__"))
        compile_all(Path(tmp))
        stale = []
        for target in TARGETS:
            committed = (HERE / f"{target}.lock").read_text().splitlines(keepends=True)
            fresh = (copy / f"{target}.lock").read_text().splitlines(keepends=True)
            if committed != fresh:
                stale.append(target)
                sys.stdout.writelines(difflib.unified_diff(committed, fresh, f"requirements/{target}.lock",
                                                           f"requirements/{target}.lock (make lock)", n=1))
    if stale:
        print(f"\nOut of date: {', '.join(f'requirements/{t}.lock' for t in stale)}. Run `make lock` and commit.")
        return 1
    print("The lock files match requirements/*.txt.")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    parser.add_argument("--upgrade", action="store_true", help="newest versions of the packages without a pin")
    args = parser.parse_args()
    if args.check:
        return check()
    compile_all(HERE.parent, upgrade=args.upgrade)
    return 0


if __name__ == "__main__":
    sys.exit(main())
