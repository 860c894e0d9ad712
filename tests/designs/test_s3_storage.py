"""The S3 path against an S3-compatible server on loopback that checks signatures (tests/designs/s3_server.py)."""
from __future__ import annotations

import urllib.error
import urllib.request
from datetime import timedelta
from urllib.parse import urlsplit

import boto3
import botocore.exceptions
import pytest
import time_machine
from django.core.files.storage import default_storage
from django.test import override_settings
from django.utils import timezone

from config.settings import s3_storage_settings
from tests.designs.conftest import submit, wait_for
from tests.designs.s3_server import REGION, SigningS3Server
from tests.servers import free_port

BUCKET = "restyle-test"


@pytest.fixture
def s3_storage():
    server = SigningS3Server(free_port())
    server.start()
    key = server.open_bucket(BUCKET)
    # The settings' own builder, so the options production uses are the ones tested.
    storage = s3_storage_settings(bucket=BUCKET, endpoint_url=server.endpoint, region=REGION,
                                  access_key=key["aws_access_key_id"], secret_key=key["aws_secret_access_key"],
                                  url_max_age=300, addressing_style="path")
    from django.conf import settings

    try:
        with override_settings(STORAGE_BACKEND="s3", STORAGES={**settings.STORAGES, "default": storage}):
            yield boto3.client("s3", endpoint_url=server.endpoint, region_name=REGION, **key)
    finally:
        server.stop()


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read(3)
    except urllib.error.HTTPError as error:
        return error.code, b""


def test_it_is_refused_by_a_server_that_checks_signatures_when_its_key_is_wrong(s3_storage):
    wrong = boto3.client("s3", endpoint_url=s3_storage.meta.endpoint_url, region_name=REGION,
                         aws_access_key_id=s3_storage._request_signer._credentials.access_key,
                         aws_secret_access_key="not-the-secret")
    with pytest.raises(botocore.exceptions.ClientError, match="SignatureDoesNotMatch"):
        wrong.list_objects_v2(Bucket=BUCKET)
    assert s3_storage.list_objects_v2(Bucket=BUCKET)["KeyCount"] == 0


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
    assert _get(url) == (200, b"\xff\xd8\xff")  # a JPEG
    result_key = urlsplit(url).path.split(f"/{BUCKET}/", 1)[1]
    assert _get(f"{urlsplit(url).scheme}://{urlsplit(url).netloc}/{BUCKET}/{result_key}")[0] == 403  # unsigned
    with time_machine.travel(timezone.now() - timedelta(seconds=301)):
        expired = default_storage.url(result_key)  # signed 301 s ago, for 300 s
    assert _get(expired)[0] == 403
    original_key = next(key for key in keys if key.endswith("/original.jpg"))
    assert _get(url.replace(result_key, original_key))[0] == 403  # a signature is for its own file only
    for key in keys:
        grants = s3_storage.get_object_acl(Bucket=BUCKET, Key=key)["Grants"]
        assert not [g for g in grants if "AllUsers" in g["Grantee"].get("URI", "")], key

    assert alice_api.delete(f"/api/v1/designs/{design_id}/").status_code == 204
    assert _keys(s3_storage) == []
