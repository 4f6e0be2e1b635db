"""A real `jupyter server` with orchest-lab as a subprocess of the test, for what only a separate
process shows: a crash (`kill -9`) and what it leaves behind. bench/bench_loop.py measures one
too."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

TOKEN = "orchest-lab-test-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class ServerProcess:
    """The server's root, state, data and memory folders are under `folder`, so a second server
    started on the same folder finds what the first one left."""

    def __init__(self, folder: Path, memory: Path | None = None) -> None:
        """`memory`: the folder of in-memory outputs, when not under `folder` (in /dev/shm)."""
        self.folder = folder
        self.memory = memory or folder / "memory"
        self.root = folder / "root"
        self.root.mkdir(parents=True, exist_ok=True)
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0

    def start(self, timeout: float = 120.0, config: dict[str, Any] | None = None) -> None:
        """`config`: settings of a configuration file ({"Class": {"name": value}})."""
        self.port = free_port()
        command = [
            sys.executable,
            "-m",
            "jupyter_server",
            "--allow-root",
            "--ServerApp.open_browser=False",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--ServerApp.root_dir={self.root}",
            f"--IdentityProvider.token={TOKEN}",
            f"--OrchestLab.state_dir={self.folder / 'state'}",
            f"--OrchestLab.data_dir={self.folder / 'data'}",
            f"--OrchestLab.memory_dir={self.memory}",
        ]
        if config:
            path = self.folder / "jupyter_server_config.json"
            path.write_text(json.dumps(config))
            command.append(f"--config={path}")
        env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(self.folder / "runtime")}
        with open(self.folder / "server.log", "ab") as log:
            # Not started in the current folder, which `python -m` puts first on sys.path.
            self.process = subprocess.Popen(
                command, cwd=self.folder, stdout=log, stderr=subprocess.STDOUT, env=env
            )
        deadline = time.monotonic() + timeout
        while not self._answers():
            assert self.process.poll() is None, f"the server exited:\n{self.log_tail()}"
            assert time.monotonic() < deadline, f"the server did not start:\n{self.log_tail()}"
            time.sleep(0.1)

    def _answers(self) -> bool:
        try:
            return self.request("GET", "/api/status")[0] == 200
        except OSError:
            return False

    def request(
        self, method: str, path: str, body: Any = None, timeout: float = 60.0
    ) -> tuple[int, Any]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            headers = {"Authorization": f"token {TOKEN}", "Content-Type": "application/json"}
            data = json.dumps(body) if body is not None else None
            connection.request(method, path, body=data, headers=headers)
            response = connection.getresponse()
            text = response.read()
            return response.status, json.loads(text) if text else None
        finally:
            connection.close()

    def api(self, method: str, route: str, body: Any = None, timeout: float = 60.0) -> Any:
        status, answer = self.request(method, f"/orchest-lab/api/{route}", body, timeout)
        assert status < 300, (method, route, status, answer)
        return answer

    def kill(self) -> None:
        """`kill -9`: the server has no chance to clean up."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def log_tail(self) -> str:
        return (self.folder / "server.log").read_text(errors="replace")[-3000:]
