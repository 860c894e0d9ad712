"""A fake of Replicate's predictions API on loopback: the `replicate` SDK runs unmodified against it.

What it imitates (https://replicate.com/docs/reference/http): POST /v1/predictions (201, status "starting"),
GET /v1/predictions/<id> (each poll moves the prediction on: starting, processing with a tqdm bar in its logs,
then succeeded with file URLs as output), POST /v1/predictions/<id>/cancel, and the output files themselves
(GET /files/<name>), like replicate.delivery. Errors come as RFC 7807 problem details, as Replicate sends them.

Scripted per prediction: `script` lists the behaviour of the 1st, 2nd, ... create; the last repeats.

    ok           starting, PROCESSING_POLLS polls of processing, then succeeded: [control map, *variations]
    slow         processing for ever (the backend's timeout or a cancel ends it)
    fail         the model failed ("CUDA out of memory")
    interrupted  failed with "Prediction interrupted; please retry (code: PA)"
    429 / 503 / 422 / 401 / 404   that status for the create, with a problem-details body
"""
from __future__ import annotations

import io
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from PIL import Image

PROCESSING_POLLS = 3
OUTPUT_SIZE = (96, 64)


def backend_for(fake: FakeReplicate, **options):
    """A ReplicateBackend pointed at the fake, polling fast."""
    from gpu.backends import get_backend

    return get_backend("replicate", version="fake/controlnet:v123", api_token="r8_test", base_url=fake.url,
                       poll_interval=0.01, **options)


def _png(color) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", OUTPUT_SIZE, color).save(buffer, "PNG")
    return buffer.getvalue()


class FakeReplicate:
    def __init__(self, script: str = "ok") -> None:
        self.script = [step.strip() for step in script.split(",") if step.strip()]
        self.lock = threading.Lock()
        self.predictions: dict[str, dict] = {}
        self.created: list[dict] = []  # the request bodies of every create, errors included
        self.cancelled: list[str] = []
        self.auth: list[str] = []  # the Authorization header of every API request
        self.files = {"map.png": _png((0, 0, 0))}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FakeReplicate:
        threading.Thread(target=self.server.serve_forever, name="fake-replicate", daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _behaviour(self, index: int) -> str:
        return self.script[min(index, len(self.script) - 1)]

    # --- the API ---------------------------------------------------------------------------------------------

    def create(self, body: dict) -> tuple[int, dict]:
        with self.lock:
            index = len(self.created)
            self.created.append(body)
            behaviour = self._behaviour(index)
            if behaviour.isdigit():
                return int(behaviour), {"title": "Fake error", "detail": f"status {behaviour}",
                                        "status": int(behaviour)}
            prediction_id = f"p{index}"
            self.predictions[prediction_id] = {
                "id": prediction_id, "model": "fake/controlnet", "version": body.get("version"),
                "status": "starting", "input": {"prompt": body.get("input", {}).get("prompt")}, "output": None,
                "logs": "", "error": None, "metrics": {}, "created_at": "2026-11-30T00:00:00Z",
                "urls": {"get": f"{self.url}/v1/predictions/{prediction_id}",
                         "cancel": f"{self.url}/v1/predictions/{prediction_id}/cancel"},
                "_behaviour": behaviour, "_polls": 0, "_outputs": int(body.get("input", {}).get("num_outputs", 1)),
            }
            return 201, self._public(prediction_id)

    def get(self, prediction_id: str) -> tuple[int, dict]:
        with self.lock:
            prediction = self.predictions.get(prediction_id)
            if prediction is None:
                return 404, {"title": "Not found", "detail": "No such prediction", "status": 404}
            self._advance(prediction)
            return 200, self._public(prediction_id)

    def cancel(self, prediction_id: str) -> tuple[int, dict]:
        with self.lock:
            prediction = self.predictions.get(prediction_id)
            if prediction is None:
                return 404, {"title": "Not found", "detail": "No such prediction", "status": 404}
            self.cancelled.append(prediction_id)
            if prediction["status"] in ("starting", "processing"):
                prediction["status"] = "canceled"
            return 200, self._public(prediction_id)

    def _advance(self, prediction: dict) -> None:
        if prediction["status"] not in ("starting", "processing"):
            return
        prediction["_polls"] += 1
        polls, behaviour = prediction["_polls"], prediction["_behaviour"]
        if polls == 1:
            prediction["status"] = "starting"
            return
        prediction["status"] = "processing"
        done = min(polls - 1, PROCESSING_POLLS)
        bars = (f"{100 * i // PROCESSING_POLLS}%|{'#' * i}| {i}/{PROCESSING_POLLS} [00:0{i}<00:00]"
                for i in range(done + 1))
        prediction["logs"] = "Loading models\n" + "\n".join(bars)
        if behaviour == "slow" or polls - 1 < PROCESSING_POLLS:
            return
        if behaviour in ("fail", "interrupted"):
            prediction["status"] = "failed"
            prediction["error"] = ("CUDA out of memory" if behaviour == "fail"
                                   else "Prediction interrupted; please retry (code: PA)")
            return
        names = []
        for i in range(prediction["_outputs"]):
            name = f"{prediction['id']}-{i}.png"
            self.files[name] = _png((200, 120 + 20 * i, 80))
            names.append(name)
        prediction.update(status="succeeded", output=[f"{self.url}/files/map.png",
                                                      *(f"{self.url}/files/{n}" for n in names)],
                          metrics={"predict_time": 2.5}, completed_at="2026-11-30T00:00:05Z")

    def _public(self, prediction_id: str) -> dict:
        return {k: v for k, v in self.predictions[prediction_id].items() if not k.startswith("_")}

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _send(self, status: int, body: dict | bytes, content_type: str = "application/json") -> None:
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                if status >= 400:
                    content_type = "application/problem+json"
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if match := re.fullmatch(r"/v1/predictions/(\w+)", self.path):
                    fake.auth.append(self.headers.get("Authorization", ""))
                    return self._send(*fake.get(match[1]))
                if match := re.fullmatch(r"/files/([\w.-]+)", self.path):
                    data = fake.files.get(match[1])
                    return self._send(200, data, "image/png") if data else self._send(404, {"detail": "gone"})
                return self._send(404, {"title": "Not found", "status": 404})

            def do_POST(self) -> None:
                fake.auth.append(self.headers.get("Authorization", ""))
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                if self.path == "/v1/predictions":
                    return self._send(*fake.create(body))
                if match := re.fullmatch(r"/v1/predictions/(\w+)/cancel", self.path):
                    return self._send(*fake.cancel(match[1]))
                return self._send(404, {"title": "Not found", "status": 404})

        return Handler
