"""A project with a pipeline for SDK tests that run in this process: the SDK reads its context
from environment variables at each call, so a test plays each step by setting them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from orchest_lab.data.outputs import store_dir
from orchest_lab.sdk.orchest import transfer

SDK_VARIABLES = (
    "ORCHEST_PIPELINE_PATH",
    "ORCHEST_PIPELINE_UUID",
    "ORCHEST_STEP_UUID",
    "ORCHEST_PROJECT_DIR",
    "ORCHEST_RUN_UUID",
    "ORCHEST_STEP_FINGERPRINT",
    "ORCHEST_MEMORY_EVICTION",
    "ORCHEST_MEMORY_DIR",
    "ORCHEST_DATA_TRANSPORT",
    "JPY_SESSION_NAME",
)
PIPELINE_UUID = "0c8f3c8e-5a51-4b2e-9a53-2f9a4f1d7e10"


class SdkProject:
    def __init__(self, root: Path, memory: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.root = root
        self.memory = memory
        self.monkeypatch = monkeypatch
        self.uuids: dict[str, str] = {}
        self.pipeline_file = root / "p.orchest"

    def pipeline(
        self,
        steps: dict[str, list[str]],
        *,
        memory_size: str = "1GB",
        parameters: dict[str, Any] | None = None,
        step_parameters: dict[str, dict[str, Any]] | None = None,
        uuid: str = PIPELINE_UUID,
        file: Path | None = None,
    ) -> Path:
        """`steps`: {title: [parent titles]} (incoming_connections in that order); each runs
        `<title>.py`. Written to `file` (default p.orchest)."""
        self.uuids.update({t: self.uuids.get(t) or f"step-{t.lower()}" for t in steps})
        definition = {
            "name": "sdk",
            "uuid": uuid,
            "version": "1.0.0",
            "parameters": parameters or {},
            "settings": {"data_passing_memory_size": memory_size},
            "steps": {
                self.uuids[title]: {
                    "uuid": self.uuids[title],
                    "title": title,
                    "file_path": f"{title}.py",
                    "incoming_connections": [self.uuids[p] for p in parents],
                    "environment": "",
                    "parameters": (step_parameters or {}).get(title, {}),
                }
                for title, parents in steps.items()
            },
        }
        target = file or self.pipeline_file
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(definition))
        return target

    def as_step(self, title: str | None, **variables: str) -> None:
        """Become step `title` of the pipeline (None: no step), as a run sets it up."""
        for name in SDK_VARIABLES:
            self.monkeypatch.delenv(name, raising=False)
        self.monkeypatch.setenv("ORCHEST_MEMORY_DIR", str(self.memory))
        self.monkeypatch.setenv("ORCHEST_PIPELINE_PATH", str(self.pipeline_file))
        if title is not None:
            self.monkeypatch.setenv("ORCHEST_STEP_UUID", self.uuids[title])
        for name, value in variables.items():
            self.monkeypatch.setenv(name, value)
        # Each step is a new process: no "called before" warnings carried over.
        self.monkeypatch.setattr(transfer, "_last_output_name", -1)
        self.monkeypatch.setattr(transfer, "_get_inputs_called", False)

    def outside(self, **variables: str) -> None:
        """No pipeline context at all."""
        for name in SDK_VARIABLES:
            self.monkeypatch.delenv(name, raising=False)
        self.monkeypatch.setenv("ORCHEST_MEMORY_DIR", str(self.memory))
        for name, value in variables.items():
            self.monkeypatch.setenv(name, value)

    @classmethod
    def create(cls, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SdkProject:
        root = tmp_path / "project"
        (root / ".orchest").mkdir(parents=True)
        return cls(root, tmp_path / "memory", monkeypatch)

    @property
    def store(self) -> Path:
        return store_dir(self.memory, self.root, PIPELINE_UUID)

    def data_dir(self, title: str) -> Path:
        return self.root / ".orchest" / "pipelines" / PIPELINE_UUID / "data" / self.uuids[title]
