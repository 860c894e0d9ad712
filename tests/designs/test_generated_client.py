"""A Python client generated from the live /api/schema/ with openapi-python-client does the whole flow:
register, submit a photo, poll to completion, download the result. No hand-written HTTP: every call goes
through the generated package (the download follows the result URL with the client's own session)."""
from __future__ import annotations

import importlib
import io
import os
import subprocess
import sys
import time
from pathlib import Path
from uuid import UUID

from PIL import Image

from tests.designs.conftest import photo_bytes

VENV_BIN = Path(sys.executable).parent
PACKAGE = "restyle_api_client"


def _generate(schema_url: str, into: Path):
    """Run the pinned CLI from the venv (its ruff formats the code) and import what it wrote."""
    env = {**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run(
        [str(VENV_BIN / "openapi-python-client"), "generate", "--url", schema_url, "--meta", "none",
         "--output-path", str(into / PACKAGE)],
        cwd=into, env=env, capture_output=True, text=True, timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stdout + result.stderr, result.stdout + result.stderr  # nothing was skipped
    sys.path.insert(0, str(into))
    try:
        return importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(into))


def _module(name: str):
    return importlib.import_module(f"{PACKAGE}.{name}")


def test_it_generates_a_client_that_restyles_a_photo(live_server, worker, tmp_path):
    package = _generate(f"{live_server.url}/api/schema/?format=json", tmp_path)
    models, types = _module("models"), _module("types")
    register = _module("api.auth.auth_register_create")
    create, retrieve = _module("api.designs.designs_create"), _module("api.designs.designs_retrieve")

    anonymous = package.Client(base_url=live_server.url, raise_on_unexpected_status=True)
    account = register.sync(client=anonymous, body=models.TokenRequestRequest(
        email="generated@example.com", password="a long pass phrase", name="generated client"))
    assert isinstance(account, models.RegisterResponse), account
    client = package.AuthenticatedClient(base_url=live_server.url, token=account.token, prefix="Token",
                                         raise_on_unexpected_status=True)

    photo = types.File(payload=io.BytesIO(photo_bytes()), file_name="room.jpg", mime_type="image/jpeg")
    submitted = create.sync_detailed(client=client, idempotency_key="generated-1", body=models.DesignCreateRequest(
        image=photo, style=models.StyleEnum.JAPANDI, resolution=models.ResolutionEnum.VALUE_512))
    assert submitted.status_code == 202, submitted.content
    accepted = submitted.parsed
    assert isinstance(accepted, models.DesignAccepted)
    assert submitted.headers["Location"] == accepted.status_url

    deadline = time.monotonic() + 120
    state = retrieve.sync(design_id=accepted.id, client=client)
    while state.status not in (models.DesignStatusEnum.COMPLETED, models.DesignStatusEnum.FAILED):
        assert time.monotonic() < deadline, f"stuck at {state.status}"
        time.sleep(0.2)
        state = retrieve.sync(design_id=accepted.id, client=client)

    assert isinstance(state, models.DesignState)
    assert state.status == models.DesignStatusEnum.COMPLETED, state.error
    assert isinstance(state.id, UUID) and state.error is None and state.progress == 1.0
    assert state.metadata.backend == "local" and state.metadata.processing_time > 0
    assert set(state.metadata.timings.additional_properties) >= {"analyzing", "transforming", "finalizing"}
    [result] = state.results
    assert isinstance(result, models.DesignResult)
    download = client.get_httpx_client().get(result.url)
    assert download.status_code == 200
    assert Image.open(io.BytesIO(download.content)).size == (result.width, result.height)

    missing = retrieve.sync_detailed(design_id=UUID(int=1), client=client)
    assert missing.status_code == 404 and isinstance(missing.parsed, models.Error)
    assert missing.parsed.error.code == "not_found"
