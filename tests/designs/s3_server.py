"""An S3-compatible server on loopback that checks signatures: moto's, with IAM authentication on, behind a gate
for presigned URLs.

moto verifies the signature of every header-signed request once IAM authentication is on (INITIAL_NO_AUTH_ACTION_COUNT
reached), but it cannot verify a presigned URL: without authentication it serves any URL that merely carries a
signature, expired or forged; with it, it fails on one. The gate does for presigned URLs what S3 does: it checks the
URL's SigV4 signature and its expiry, refuses with 403 otherwise, and passes a good one on to moto signed in the
header with the same key, so moto's own checks (signature, the key's IAM policy) still apply.
"""
from __future__ import annotations

import hmac
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl

import boto3
import requests
from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

REGION = "us-east-1"
SETUP_KEYS = {"aws_access_key_id": "setup", "aws_secret_access_key": "setup", "region_name": REGION}


class PresignedGate:
    def __init__(self, app, secrets: dict[str, str]) -> None:
        self.app = app
        self.secrets = secrets  # access key id -> secret, filled in once the IAM user exists

    def __call__(self, environ, start_response):
        pairs = [pair.partition("=") for pair in environ.get("QUERY_STRING", "").split("&") if pair]
        query = {key: value for key, _, value in pairs}
        if "X-Amz-Signature" not in query:
            return self.app(environ, start_response)
        refusal = self._refusal(environ, pairs, dict(parse_qsl(environ["QUERY_STRING"])))
        if refusal:
            start_response("403 Forbidden", [("Content-Type", "application/xml")])
            return [f"<Error><Code>{refusal}</Code></Error>".encode()]
        self._sign_in_header(environ, pairs, dict(parse_qsl(environ["QUERY_STRING"])))
        return self.app(environ, start_response)

    def _refusal(self, environ, pairs, query: dict) -> str | None:
        access_key, _, region, *_ = query["X-Amz-Credential"].split("/")
        secret = self.secrets.get(access_key)
        if secret is None:
            return "InvalidAccessKeyId"
        signed_at = datetime.strptime(query["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        if datetime.now(UTC) > signed_at + timedelta(seconds=int(query["X-Amz-Expires"])):
            return "AccessDenied"  # S3: "Request has expired"
        unsigned = "&".join(f"{key}={value}" for key, _, value in pairs if key != "X-Amz-Signature")
        request = AWSRequest(method=environ["REQUEST_METHOD"], url=self._url(environ, unsigned),
                             headers={"host": environ["HTTP_HOST"]})
        request.context["timestamp"] = query["X-Amz-Date"]
        auth = S3SigV4QueryAuth(Credentials(access_key, secret), "s3", region, expires=int(query["X-Amz-Expires"]))
        expected = auth.signature(auth.string_to_sign(request, auth.canonical_request(request)), request)
        return None if hmac.compare_digest(expected, query["X-Amz-Signature"]) else "SignatureDoesNotMatch"

    def _sign_in_header(self, environ, pairs, query: dict) -> None:
        access_key, _, region, *_ = query["X-Amz-Credential"].split("/")
        rest = "&".join(f"{key}={value}" for key, _, value in pairs if not key.startswith("X-Amz-"))
        request = AWSRequest(method=environ["REQUEST_METHOD"], url=self._url(environ, rest),
                             headers={"host": environ["HTTP_HOST"]})
        S3SigV4Auth(Credentials(access_key, self.secrets[access_key]), "s3", region).add_auth(request)
        for name in ("Authorization", "X-Amz-Date", "X-Amz-Content-SHA256"):
            environ["HTTP_" + name.upper().replace("-", "_")] = request.headers[name]
        environ["QUERY_STRING"] = rest
        path = environ.get("RAW_URI", environ["PATH_INFO"]).split("?")[0]
        environ["RAW_URI"] = environ["REQUEST_URI"] = path + (f"?{rest}" if rest else "")

    @staticmethod
    def _url(environ, query: str) -> str:
        path = environ.get("RAW_URI", environ["PATH_INFO"]).split("?")[0]
        return f"http://{environ['HTTP_HOST']}{path}" + (f"?{query}" if query else "")


class SigningS3Server(ThreadedMotoServer):
    """moto's threaded server with the gate in front."""

    def __init__(self, port: int) -> None:
        super().__init__(ip_address="127.0.0.1", port=port, verbose=False)
        self.gate = PresignedGate(DomainDispatcherApplication(create_backend_app), {})
        self.endpoint = f"http://127.0.0.1:{port}"

    def _server_entry(self) -> None:
        self._server = make_server(self._ip_address, self._port, self.gate, True, request_handler=MotoRequestHandler)
        self._server_ready_event.set()
        self._server.serve_forever()

    def open_bucket(self, bucket: str) -> dict[str, str]:
        """Create the bucket and a key allowed only on it, then turn signature checking on. Returns the key."""
        iam = boto3.client("iam", endpoint_url=self.endpoint, **SETUP_KEYS)
        iam.create_user(UserName="restyle")
        policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": [
            f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]}]}
        iam.put_user_policy(UserName="restyle", PolicyName="bucket", PolicyDocument=json.dumps(policy))
        key = iam.create_access_key(UserName="restyle")["AccessKey"]
        boto3.client("s3", endpoint_url=self.endpoint, **SETUP_KEYS).create_bucket(Bucket=bucket)
        self.gate.secrets[key["AccessKeyId"]] = key["SecretAccessKey"]
        self._auth("0")  # from now on every request is authenticated
        return {"aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]}

    def stop(self) -> None:
        # moto's settings and backends belong to this process, not to the server: leave them as they were.
        self._auth("inf")
        requests.post(f"{self.endpoint}/moto-api/reset", timeout=10).raise_for_status()
        super().stop()

    def _auth(self, after_requests: str) -> None:
        response = requests.post(f"{self.endpoint}/moto-api/reset-auth", data=after_requests.encode(), timeout=10)
        response.raise_for_status()
