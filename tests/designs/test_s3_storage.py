"""The S3 path against an S3-compatible server on loopback (moto's server mode), presigned URLs included."""
from __future__ import annotations

import urllib.request

import boto3
import pytest
from django.core.files.storage import default_storage
from django.test import override_settings
from moto.server import ThreadedMotoServer

from config.settings import s3_storage_settings
from tests.designs.conftest import submit, wait_for
from tests.servers import free_port

BUCKET = "restyle-test"


@pytest.fixture
def s3_storage():
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    credentials = {"aws_access_key_id": "test", "aws_secret_access_key": "test", "region_name": "us-east-1"}
    boto3.client("s3", endpoint_url=endpoint, **credentials).create_bucket(Bucket=BUCKET)
    # The settings' own builder, so the options production uses are the ones tested.
    storage = s3_storage_settings(bucket=BUCKET, endpoint_url=endpoint, region="us-east-1", access_key="test",
                                  secret_key="test", url_max_age=300, addressing_style="path")
    from django.conf import settings

    with override_settings(STORAGE_BACKEND="s3", STORAGES={**settings.STORAGES, "default": storage}):
        yield boto3.client("s3", endpoint_url=endpoint, **credentials)
    server.stop()


def _keys(s3) -> list[str]:
    return [item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def test_it_keeps_files_in_a_private_bucket_behind_presigned_urls(s3_storage, worker, alice_api):
    design_id = submit(alice_api).json()["id"]
    state = wait_for(alice_api, design_id)
    assert state["status"] == "completed", state["error"]
    assert default_storage.__class__.__name__ == "S3Storage"
    keys = _keys(s3_storage)
    assert any(key.endswith("/original.jpg") for key in keys)
    url = state["results"][0]["url"]
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=300" in url
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.read(3) == b"\xff\xd8\xff"  # a JPEG
    for key in keys:
        grants = s3_storage.get_object_acl(Bucket=BUCKET, Key=key)["Grants"]
        assert not [g for g in grants if "AllUsers" in g["Grantee"].get("URI", "")], key

    assert alice_api.delete(f"/api/v1/designs/{design_id}/").status_code == 204
    assert _keys(s3_storage) == []
