"""Storage unavailable (the S3 endpoint refuses connections): bounded retries, then failed with a refund;
or, when it comes back in time, the design completes once."""
from __future__ import annotations

import time

import boto3
import pytest
from django.conf import settings
from django.test import override_settings
from moto.server import ThreadedMotoServer

from tests.drills.conftest import (
    MAX_ATTEMPTS,
    assert_books_balance,
    assert_completed_once,
    assert_failed_and_refunded,
    submit_design,
    wait_for_status,
    wait_until_settled,
)
from tests.drills.netem import TcpProxy
from tests.servers import free_port

pytestmark = [pytest.mark.drill, pytest.mark.django_db(transaction=True)]

BUCKET = "restyle-drill"
CREDENTIALS = {"access_key": "drill", "secret_key": "drill", "region_name": "us-east-1"}


@pytest.fixture
def s3_link(stack):
    """An S3 server on loopback; this process uses it directly, the worker through a proxy the drill can cut."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="drill", aws_secret_access_key="drill",
                 region_name="us-east-1").create_bucket(Bucket=BUCKET)
    proxy = TcpProxy(port).start()
    stack.env.update({
        "STORAGE_BACKEND": "s3", "S3_BUCKET": BUCKET, "S3_ENDPOINT_URL": f"http://127.0.0.1:{proxy.port}",
        "S3_REGION": "us-east-1", "S3_ACCESS_KEY_ID": "drill", "S3_SECRET_ACCESS_KEY": "drill",
    })
    storage = {"BACKEND": "storages.backends.s3.S3Storage",
               "OPTIONS": {"bucket_name": BUCKET, "endpoint_url": endpoint, "addressing_style": "path",
                           "signature_version": "s3v4", "default_acl": "private", "file_overwrite": False,
                           **CREDENTIALS}}
    with override_settings(STORAGE_BACKEND="s3", STORAGES={**settings.STORAGES, "default": storage}):
        yield proxy
    proxy.stop()
    server.stop()


def test_it_fails_and_refunds_when_storage_stays_down(stack, s3_link, staff_api):
    stack.worker(fake_modal=True, DRILL_MODAL_EVENTS="10", DRILL_MODAL_EVENT_S="0.2")
    design_id = submit_design(staff_api, variations=2)
    wait_for_status(design_id, ["transforming"], timeout=60)
    s3_link.outage()  # the results cannot be stored, nor the photo read again for a retry

    design = wait_until_settled(design_id, timeout=180)
    assert_failed_and_refunded(design)
    assert design.attempts == MAX_ATTEMPTS  # bounded: the retries stop
    assert stack.remote_calls() == 1  # a retry that cannot read the photo never reaches the GPU
    assert_books_balance(staff_api.user)


def test_it_completes_once_storage_is_back(stack, s3_link, staff_api):
    stack.worker(fake_modal=True, DRILL_MODAL_EVENTS="10", DRILL_MODAL_EVENT_S="0.2")
    design_id = submit_design(staff_api, variations=2)
    wait_for_status(design_id, ["transforming"], timeout=60)
    s3_link.outage()
    wait_for_status(design_id, ["queued"], timeout=60)  # storing the results failed: a retry is due
    time.sleep(0.5)
    s3_link.restore()

    design = wait_until_settled(design_id, timeout=120)
    assert_completed_once(design)
    assert design.attempts >= 2
    assert_books_balance(staff_api.user)
