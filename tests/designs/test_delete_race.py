"""A delete racing a worker's final write leaves no files behind: run with a real Dramatiq worker, and the two
held at the exact points where they used to interleave badly."""
from __future__ import annotations

import threading

import pytest
from django.core.files.storage import default_storage
from django.db import connection

from designs import services, worker
from designs.models import Design
from tests.designs.conftest import submit

pytestmark = pytest.mark.django_db(transaction=True)


def _files(prefix: str) -> list[str]:
    try:
        return default_storage.listdir(prefix)[1]
    except FileNotFoundError:
        return []


def _hold_after(monkeypatch, module, name: str):
    """Wrap module.name: it runs, then `done` is set and it waits for `go` (a test-side checkpoint)."""
    done, go = threading.Event(), threading.Event()
    real = getattr(module, name)

    def held(*args, **kwargs):
        result = real(*args, **kwargs)
        done.set()
        assert go.wait(120), f"{name} was never released"
        return result

    monkeypatch.setattr(module, name, held)
    return done, go


def _hold_before(monkeypatch, module, name: str):
    reached, go = threading.Event(), threading.Event()
    real = getattr(module, name)

    def held(*args, **kwargs):
        reached.set()
        assert go.wait(120), f"{name} was never released"
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, held)
    return reached, go


def test_it_leaves_no_result_files_when_a_delete_races_the_final_write(worker_control, alice_api, monkeypatch):
    # The worker stops just before storing its results; the delete stops just after emptying the folder.
    about_to_store, store_go = _hold_before(monkeypatch, worker, "_store_files")
    folder_emptied, delete_go = _hold_after(monkeypatch, services, "folder_delete")
    design_id = submit(alice_api).json()["id"]
    prefix = Design.objects.get(pk=design_id).storage_prefix
    worker_control.start()
    assert about_to_store.wait(180), "the worker never got to its results"

    answers = []

    def delete():
        try:
            answers.append(alice_api.delete(f"/api/v1/designs/{design_id}/").status_code)
        finally:
            connection.close()

    deleting = threading.Thread(target=delete)
    deleting.start()
    assert folder_emptied.wait(30)
    store_go.set()  # the worker now stores its results and tries its final write
    worker_control.drain()
    delete_go.set()
    deleting.join(30)

    assert answers == [204]
    assert not Design.objects.filter(pk=design_id).exists()
    assert _files(prefix) == []
