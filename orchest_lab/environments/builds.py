"""Builds of environments: where they live, their state, and one build at a time per environment.

On disk, per environment: `<state>/environments/<project-uuid>/<env-uuid>/` holds `current.json`
(the good build in service), `last.json` (the latest attempt) and `builds/<hash>/` (a venv and
its build log). A build is keyed by the hash of what it depends on, so an unchanged environment is
never built again, and a failed build leaves the good one in service.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TextIO, TypeVar

from ..executors.throttle import Throttle
from ..fs import atomic_write_text
from ..pipeline.project import project_uuid
from ..records import now
from .builder import RUNTIME_REQUIREMENTS, Builder, BuildError
from .definition import EnvironmentDefinition
from .kernelspecs import kernel_name, kernels_dir, remove_kernelspec, write_kernelspec

RUNTIME = " ".join(RUNTIME_REQUIREMENTS) + f" | python {sys.version.split()[0]}"
LOG_INTERVAL = 0.05  # at most one build-log event per build per 50 ms
T = TypeVar("T")


class BuildListener(Protocol):
    def build_changed(self, project: str, env_uuid: str, status: dict[str, Any]) -> None: ...

    def build_log(self, project: str, env_uuid: str, text: str) -> None: ...


@dataclass(frozen=True)
class BuiltEnvironment:
    kernel_name: str
    python: Path
    hash: str


@dataclass
class _Active:
    hash: str
    task: asyncio.Task[dict[str, Any]]


class EnvironmentBuilds:
    def __init__(
        self,
        state_dir: Path,
        listener: BuildListener,
        kernel_env: Callable[[Path], dict[str, str]],
        max_parallel: int = 1,
        timeout: float = 3600,
    ) -> None:
        self.root = state_dir / "environments"
        self.timeout = timeout  # seconds a build may take once it has its slot (0: no limit)
        self.listener = listener
        self.kernel_env = kernel_env  # the variables kernels of a project get
        self._slots = asyncio.Semaphore(max_parallel)
        self._active: dict[tuple[str, str], _Active] = {}

    # --- state ---------------------------------------------------------------------------------

    def folder(self, project: Path, env_uuid: str) -> Path:
        return self.root / project_uuid(project) / env_uuid

    def status(self, project: Path, definition: EnvironmentDefinition) -> dict[str, Any]:
        folder = self.folder(project, definition.uuid)
        last = _read(folder / "last.json") or {"state": "none"}
        current = self.resolve(project, definition.uuid, write_spec=False)
        return {
            **last,
            "building": (project_uuid(project), definition.uuid) in self._active,
            "kernel_name": current.kernel_name if current else None,
            "up_to_date": current is not None and current.hash == definition.content_hash(RUNTIME),
        }

    def resolve(
        self, project: Path, env_uuid: str, *, write_spec: bool = True
    ) -> BuiltEnvironment | None:
        """The environment's good build, if it has one (its kernelspec rewritten if it went)."""
        current = _read(self.folder(project, env_uuid) / "current.json")
        if current is None or not Path(current["python"]).exists():
            return None
        name = kernel_name(project_uuid(project), env_uuid)
        if write_spec and not (kernels_dir() / name / "kernel.json").exists():
            self._write_spec(project, env_uuid, Path(current["python"]), current["hash"])
        return BuiltEnvironment(name, Path(current["python"]), current["hash"])

    def log_file(self, project: Path, env_uuid: str) -> Path | None:
        last = _read(self.folder(project, env_uuid) / "last.json")
        if last is None:
            return None
        return self.folder(project, env_uuid) / "builds" / str(last["hash"]) / "build.log"

    # --- building ------------------------------------------------------------------------------

    def build(
        self, project: Path, label: str, definition: EnvironmentDefinition
    ) -> asyncio.Task[dict[str, Any]]:
        """Start a build, or join the one already running for the same definition."""
        key = (project_uuid(project), definition.uuid)
        content = definition.content_hash(RUNTIME)
        active = self._active.get(key)
        if active is not None and active.hash == content:
            return active.task
        if active is not None:  # the definition changed meanwhile: that build is out of date
            active.task.cancel()
        task = asyncio.ensure_future(self._build(project, label, definition, content))
        self._active[key] = _Active(content, task)
        task.add_done_callback(lambda done: self._forget(key, done))
        return task

    def _forget(self, key: tuple[str, str], task: asyncio.Task[dict[str, Any]]) -> None:
        active = self._active.get(key)
        if active is not None and active.task is task:  # not a newer build of the same one
            del self._active[key]

    async def cancel(self, project: Path, env_uuid: str) -> bool:
        active = self._active.get((project_uuid(project), env_uuid))
        if active is None:
            return False
        active.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await active.task
        return True

    def remove(self, project: Path, env_uuid: str) -> None:
        """Forget every build of the environment and its kernelspec (cancel builds first)."""
        shutil.rmtree(self.folder(project, env_uuid), ignore_errors=True)
        remove_kernelspec(kernel_name(project_uuid(project), env_uuid))

    def recover(self) -> int:
        """Builds a stopped server left unfinished are failed; how many."""
        count = 0
        for last_file in self.root.glob("*/*/last.json"):
            last = _read(last_file)
            if last and last.get("state") in ("queued", "building"):
                last.update(state="failed", message="the server stopped during the build")
                last["finished_at"] = now()
                atomic_write_text(last_file, json.dumps(last))
                count += 1
        return count

    async def close(self) -> None:
        tasks = [a.task for a in self._active.values()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _build(
        self, project: Path, label: str, definition: EnvironmentDefinition, content: str
    ) -> dict[str, Any]:
        # Files are read and written in threads, off the event loop. A write runs to its end
        # even if the build is cancelled meanwhile, so that the state on disk says where the
        # build stopped; the cancel is raised after it, or, once the build ended, comes too late.
        folder = self.folder(project, definition.uuid)
        build_dir = folder / "builds" / content
        current = await asyncio.to_thread(self.resolve, project, definition.uuid, write_spec=False)
        if current is not None and current.hash == content:
            # Nothing changed that a build depends on: only the name may have (kernelspec).
            status, _ = await _to_the_end(self._keep, project, definition, current)
            return self._tell(label, definition, status)
        started = now()
        (log_file, lock), cancelled = await _to_the_end(_open_build, folder, build_dir)
        pending: list[str] = []

        def flush(_: str) -> None:
            if pending:
                self.listener.build_log(label, definition.uuid, "".join(pending))
                pending.clear()

        events = Throttle(LOG_INTERVAL, flush)

        def log(text: str) -> None:
            log_file.write(text)
            log_file.flush()
            pending.append(text)
            events.touch("log")

        try:
            if cancelled:
                raise asyncio.CancelledError
            await self._started(project, label, definition, content, "queued", started)
            async with self._slots:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    raise BuildError("another process is building this environment") from None
                await self._started(project, label, definition, content, "building", started)
                python = await self._run(Builder(definition, project, build_dir / "venv", log))
        except Exception as err:  # a BuildError, or a bug: the build fails either way
            reason = str(err) if isinstance(err, BuildError) else f"{type(err).__name__}: {err}"
            log(f"\nBuild failed: {reason}\n")
            return await self._ended(project, label, definition, content, "failed", reason, started)
        except asyncio.CancelledError:
            log("\nBuild cancelled.\n")
            await self._ended(
                project, label, definition, content, "cancelled", "cancelled", started
            )
            raise
        finally:
            events.flush_all()
            log_file.close()
            lock.close()
        status, _ = await _to_the_end(
            self._put_in_service, project, definition, content, python, current, started
        )
        return self._tell(label, definition, status)

    async def _started(
        self,
        project: Path,
        label: str,
        definition: EnvironmentDefinition,
        content: str,
        state: str,
        started: str,
    ) -> None:
        """Record that the build is queued or building; a cancel meanwhile is raised after."""
        status, cancelled = await _to_the_end(
            self._record, project, definition, content, state, None, started
        )
        self._tell(label, definition, status)
        if cancelled:
            raise asyncio.CancelledError

    async def _ended(
        self,
        project: Path,
        label: str,
        definition: EnvironmentDefinition,
        content: str,
        state: str,
        message: str,
        started: str,
    ) -> dict[str, Any]:
        """A build that failed or was cancelled: its venv goes, the state says why."""
        venv = self.folder(project, definition.uuid) / "builds" / content / "venv"

        def end() -> dict[str, Any]:
            shutil.rmtree(venv, ignore_errors=True)
            return self._record(project, definition, content, state, message, started)

        status, _ = await _to_the_end(end)
        return self._tell(label, definition, status)

    def _keep(
        self, project: Path, definition: EnvironmentDefinition, current: BuiltEnvironment
    ) -> dict[str, Any]:
        self._write_spec(project, definition.uuid, current.python, current.hash, definition.name)
        return self._record(project, definition, current.hash, "ready", "up to date")

    def _put_in_service(
        self,
        project: Path,
        definition: EnvironmentDefinition,
        content: str,
        python: Path,
        current: BuiltEnvironment | None,
        started: str,
    ) -> dict[str, Any]:
        folder = self.folder(project, definition.uuid)
        atomic_write_text(
            folder / "current.json",
            json.dumps({"hash": content, "python": str(python), "built_at": now()}),
        )
        self._write_spec(project, definition.uuid, python, content, definition.name)
        self._prune(folder, keep={content, current.hash if current else ""})
        return self._record(project, definition, content, "ready", None, started)

    # --- helpers -------------------------------------------------------------------------------

    async def _run(self, builder: Builder) -> Path:
        """The builder's Python, or a BuildError once the build took longer than the timeout:
        a build that hangs (a setup script waiting forever) must not hold a slot for good.
        Cancelling the builder kills every process of its step (their process group)."""
        if self.timeout <= 0:
            return await builder.run()
        try:
            return await asyncio.wait_for(builder.run(), self.timeout)
        except asyncio.TimeoutError:
            raise BuildError(
                f"the build took longer than {self.timeout:g} s (the limit, "
                "c.OrchestLab.build_timeout) and was stopped"
            ) from None

    def _record(
        self,
        project: Path,
        definition: EnvironmentDefinition,
        content: str,
        state: str,
        message: str | None,
        started: str | None = None,
    ) -> dict[str, Any]:
        """Write the latest attempt's state (in a thread: it syncs to disk); its status."""
        last = {
            "state": state,
            "hash": content,
            "message": message,
            "started_at": started,
            "finished_at": now() if state in ("ready", "failed", "cancelled") else None,
        }
        folder = self.folder(project, definition.uuid)
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write_text(folder / "last.json", json.dumps(last))
        status = self.status(project, definition)
        # Recorded from inside the build: its task is still active when it ends.
        status.update(state=state, building=state in ("queued", "building"))
        return status

    def _tell(
        self, label: str, definition: EnvironmentDefinition, status: dict[str, Any]
    ) -> dict[str, Any]:
        """Publish a build's new status (on the event loop, as listeners expect)."""
        self.listener.build_changed(label, definition.uuid, status)
        return status

    def _write_spec(
        self, project: Path, env_uuid: str, python: Path, content: str, name: str | None = None
    ) -> None:
        if name is None:
            try:
                name = EnvironmentDefinition.load(project, env_uuid).name
            except ValueError:
                name = env_uuid
        write_kernelspec(
            kernel_name(project_uuid(project), env_uuid),
            python=python,
            display_name=f"{name} ({project.name})",
            project=project,
            env=self.kernel_env(project),
            metadata={"project": str(project), "environment": env_uuid, "build": content},
        )

    @staticmethod
    def _prune(folder: Path, keep: set[str]) -> None:
        """Keep the build in service and the one before (kernels may still run on it)."""
        for build in (folder / "builds").iterdir():
            if build.name not in keep:
                shutil.rmtree(build, ignore_errors=True)


def _read(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _open_build(folder: Path, build_dir: Path) -> tuple[TextIO, TextIO]:
    """The build's log, and its lock file (one build of an environment across processes)."""
    build_dir.mkdir(parents=True, exist_ok=True)
    log_file = open(build_dir / "build.log", "w", encoding="utf-8")  # noqa: SIM115
    try:
        return log_file, open(folder / "build.lock", "w")
    except BaseException:
        log_file.close()
        raise


async def _to_the_end(fn: Callable[..., T], *args: Any) -> tuple[T, bool]:
    """`fn(*args)` in a thread, waited for to its end even if the task is cancelled meanwhile;
    its result, and whether a cancel came (the caller raises it, or finds it too late)."""
    work = asyncio.ensure_future(asyncio.to_thread(fn, *args))
    cancelled = False
    while not work.done():
        try:
            await asyncio.wait({work})
        except asyncio.CancelledError:
            cancelled = True
    if cancelled:
        uncancel = getattr(asyncio.current_task(), "uncancel", None)  # Python 3.11+
        if uncancel is not None:
            uncancel()
    return work.result(), cancelled
