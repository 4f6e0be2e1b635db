"""The failure webhook of jobs: when a run of a job fails, its URL (the job's, or the server's
default) is POSTed a JSON body saying what failed, signed with HMAC-SHA256 when a secret is set,
and tried again with growing waits until it is taken. Deliveries never hold up the scheduler or
the runs, and each attempt's outcome is kept with the job."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from typing import Any

from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

from ..records import JobRecord, RunRecord, now
from ..store.jobs import JobStore

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Orchest-Lab-Signature"
EVENT_HEADER = "X-Orchest-Lab-Event"


@dataclass(frozen=True)
class WebhookSettings:
    default_url: str = ""
    default_secret: str = ""
    attempts: int = 4
    first_wait: float = 1.0  # seconds before the second attempt; each wait is 4 times the last
    timeout: float = 10.0
    base_url: str = ""  # the server's, for the links in the body


def signature(secret: str, body: bytes) -> str:
    """What the signature header holds: `sha256=` and the hex HMAC-SHA256 of the body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class FailureWebhook:
    def __init__(self, store: JobStore, settings: WebhookSettings) -> None:
        self.store = store
        self.settings = settings
        self._sending: set[asyncio.Task[None]] = set()

    def run_failed(self, job: JobRecord, run: RunRecord) -> None:
        target = job.webhook or (
            {"url": self.settings.default_url, "secret": self.settings.default_secret}
            if self.settings.default_url
            else None
        )
        if not target or not target.get("url"):
            return
        body = json.dumps(self.body(job, run)).encode()
        task = asyncio.ensure_future(self._deliver(job.id, run.id, target, body))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    def body(self, job: JobRecord, run: RunRecord) -> dict[str, Any]:
        failed = [
            {
                "uuid": step.uuid,
                "title": step.title,
                "file_path": step.file_path,
                "error": step.failure.to_json() if step.failure else None,
            }
            for step in run.steps.values()
            if step.status.value == "FAILURE"
        ]
        api = f"{self.settings.base_url.rstrip('/')}/orchest-lab/api"
        return {
            "event": "job-run-failed",
            "job": {"id": job.id, "name": job.name, "schedule": job.schedule},
            "run": {
                "id": run.id,
                "status": run.status.value,
                "parameters": run.parameters,
                "started_at": run.started_at,
                "finished_at": run.finished_at,
                "failed_steps": failed,
            },
            "pipeline": {
                "path": job.pipeline_path,
                "name": job.pipeline_name,
                "uuid": job.pipeline_uuid,
            },
            "links": {
                "job": f"{api}/jobs/{job.id}",
                "run": f"{api}/jobs/{job.id}/runs/{run.id}",
            },
        }

    async def _deliver(self, job_id: str, run_id: str, target: dict[str, str], body: bytes) -> None:
        headers = {"Content-Type": "application/json", EVENT_HEADER: "job-run-failed"}
        if target.get("secret"):
            headers[SIGNATURE_HEADER] = signature(target["secret"], body)
        wait = self.settings.first_wait
        for attempt in range(1, self.settings.attempts + 1):
            outcome: dict[str, Any] = {
                "run_id": run_id,
                "url": target["url"],
                "attempt": attempt,
                "at": now(),
                "status_code": None,
                "error": None,
                "delivered": False,
            }
            try:
                response = await AsyncHTTPClient().fetch(
                    HTTPRequest(
                        target["url"],
                        method="POST",
                        body=body,
                        headers=headers,
                        request_timeout=self.settings.timeout,
                        follow_redirects=False,
                    )
                )
                outcome["status_code"] = response.code
                outcome["delivered"] = 200 <= response.code < 300
            except HTTPClientError as err:
                outcome["status_code"] = err.code
                outcome["error"] = str(err)
            except Exception as err:  # no answer: refused, timed out, a bad URL
                outcome["error"] = f"{type(err).__name__}: {err}"
            self.store.add_delivery(job_id, outcome)
            if outcome["delivered"]:
                return
            if attempt < self.settings.attempts:
                await asyncio.sleep(wait)
                wait *= 4
        log.warning("job %s: the failure webhook was not taken after %d tries", job_id, attempt)

    async def close(self) -> None:
        for task in list(self._sending):
            task.cancel()
        await asyncio.gather(*self._sending, return_exceptions=True)
