"""The failure webhook of a job, against a local HTTP server: a failed run is POSTed with what
failed, signed with the job's secret, and retried until it is taken; each try is kept."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import Any

import pytest
from api_client import call, payload
from project_factory import write_pipeline
from tornado import httpserver, web
from tornado.testing import bind_unused_port


class Receiver(web.RequestHandler):
    received: list[tuple[dict[str, str], bytes]] = []  # one server per test

    def post(self) -> None:
        Receiver.received.append((dict(self.request.headers), self.request.body))
        # The first delivery fails, as a busy receiver would: the webhook must try again.
        self.set_status(503 if len(Receiver.received) == 1 else 200)
        self.finish("ok")


@pytest.fixture
def receiver() -> Any:
    """A socket for the receiving server (which the test starts on its own event loop)."""
    Receiver.received = []
    sock, port = bind_unused_port()
    yield sock, f"http://127.0.0.1:{port}/hook"
    sock.close()


async def test_a_failed_run_is_posted_signed_and_retried(
    jp_fetch: Any, jp_root_dir: Path, receiver: Any
) -> None:
    sock, url = receiver
    server = httpserver.HTTPServer(web.Application([(r"/hook", Receiver)]))
    server.add_sockets([sock])
    try:
        await check_deliveries(jp_fetch, jp_root_dir, url)
    finally:
        server.stop()


async def check_deliveries(jp_fetch: Any, jp_root_dir: Path, receiver: str) -> None:
    write_pipeline(
        jp_root_dir,
        {"Load": ("load.py", []), "Train": ("train.py", ["Load"])},
        {"load.py": "print('ok')\n", "train.py": "raise ValueError('bad rate')\n"},
    )
    body = {
        "name": "nightly",
        "pipeline_path": "p.orchest",
        "webhook": {"url": receiver, "secret": "s3cret"},
    }
    response = await call(jp_fetch, "POST", "jobs", body)
    assert response.code == 201
    job = payload(response)
    assert job["webhook"] == {"url": receiver, "has_secret": True}  # the secret is never shown
    deadline = time.monotonic() + 60
    while len(Receiver.received) < 2 or len(job["deliveries"]) < 2:
        assert time.monotonic() < deadline, (Receiver.received, job["deliveries"])
        await asyncio.sleep(0.1)
        job = payload(await call(jp_fetch, "GET", f"jobs/{job['id']}"))
    assert job["status"] == "FAILURE"
    (first, second) = Receiver.received
    assert first[1] == second[1], "the same body is sent again"
    headers, sent = second
    expected = "sha256=" + hmac.new(b"s3cret", sent, hashlib.sha256).hexdigest()
    assert headers["X-Orchest-Lab-Signature"] == expected
    event = json.loads(sent)
    assert event["event"] == "job-run-failed"
    assert event["job"]["id"] == job["id"] and event["pipeline"]["path"] == "p.orchest"
    (failed,) = event["run"]["failed_steps"]
    assert failed["title"] == "Train"
    assert failed["error"]["name"] == "ExitStatus" and "bad rate" in failed["error"]["message"]
    assert event["links"]["run"].endswith(
        f"/orchest-lab/api/jobs/{job['id']}/runs/{event['run']['id']}"
    )
    deliveries = sorted(job["deliveries"], key=lambda d: d["attempt"])
    assert [(d["attempt"], d["status_code"], d["delivered"]) for d in deliveries] == [
        (1, 503, False),
        (2, 200, True),
    ]
