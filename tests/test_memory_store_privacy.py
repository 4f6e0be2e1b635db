"""Another local user must not be able to hand a step data: a memory store folder that is not
private to the server's user (created first by someone else, or opened to others) is never
used by the server, and the SDK reads nothing from it (a pickle read from there would run that
user's code). Tests run as root, so they can make folders of another user."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import pytest
from sdk_helpers import SdkProject

from orchest_lab.fs.private import private_folder_problem
from orchest_lab.sdk import orchest
from orchest_lab.sdk.orchest import _store

NOBODY = 65534

pytestmark = pytest.mark.skipif(os.getuid() != 0, reason="making another user's folder needs root")


class Payload:
    """Writes a file when unpickled: proof that a planted output ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (Path.write_text, (self.marker, "the payload ran"))


def someone_elses(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for path in [folder, *folder.rglob("*")]:
        os.chown(path, NOBODY, NOBODY)
    folder.chmod(0o777)
    return folder


@pytest.fixture
def planted(tmp_path: Path) -> Path:
    """The predictable memory folder, made first by another user, world-writable."""
    return someone_elses(tmp_path / "shm" / "orchest-lab-0")


class Recorded(logging.Handler):
    """Keeps what the extension logs (added through its logging configuration: the
    extension's logger does not propagate to pytest's)."""

    records: list[logging.LogRecord] = []  # one server per test

    def emit(self, record: logging.LogRecord) -> None:
        Recorded.records.append(record)


@pytest.fixture
def jp_server_config(jp_server_config: dict[str, Any], planted: Path) -> dict[str, Any]:
    jp_server_config["OrchestLab"]["memory_dir"] = str(planted)
    jp_server_config["OrchestLab"]["logging_config"] = {
        "handlers": {"recorded": {"class": f"{__name__}.Recorded"}},
        "loggers": {"OrchestLab": {"handlers": ["recorded"]}},
    }
    Recorded.records.clear()
    return jp_server_config


async def test_the_server_uses_a_private_folder_of_its_own_and_says_why(
    jp_serverapp: Any, planted: Path
) -> None:
    (app,) = jp_serverapp.extension_manager.extension_apps["orchest_lab"]
    used = Path(os.environ["ORCHEST_MEMORY_DIR"])
    assert app.pipelines.memory_root == used
    assert used != planted and private_folder_problem(str(used)) is None
    assert used.parent == planted.parent, "beside the refused one"
    warnings = [r.getMessage() for r in Recorded.records if r.levelno == logging.WARNING]
    assert any(f"{planted} cannot be used: it belongs to another user" in w for w in warnings)


def test_the_sdk_reads_nothing_from_a_store_another_user_could_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sdk = SdkProject.create(tmp_path, monkeypatch)
    sdk.pipeline({"A": [], "B": ["A"]})
    marker = tmp_path / "ran"
    sdk.as_step("A")
    orchest.output(Payload(marker), name="x")  # written while the store is private
    assert not marker.exists()
    someone_elses(sdk.memory)  # then the folder is someone else's, open to all
    sdk.as_step("B")
    with pytest.raises(_store.NotPrivate, match="belongs to another user"):
        orchest.get_inputs()
    assert not marker.exists()

    os.chown(sdk.memory, os.getuid(), os.getgid())  # ours again, but writable by others
    with pytest.raises(_store.NotPrivate, match="others may write in it"):
        orchest.get_inputs()
    # Private again (ours, closed to others): A's output is read as any other.
    for path in [sdk.memory, *sdk.memory.rglob("*")]:
        os.chown(path, os.getuid(), os.getgid())
    sdk.memory.chmod(0o700)
    orchest.get_inputs()
    assert marker.read_text() == "the payload ran"


@pytest.mark.parametrize(
    "make",
    [
        lambda p: p.mkdir(mode=0o700),
        lambda p: (p.mkdir(), p.chmod(0o777)),
        lambda p: someone_elses(p),
        lambda p: p.symlink_to(p.parent),
        lambda p: p.write_text(""),
    ],
    ids=["private", "world-writable", "another user's", "a symlink", "a file"],
)
def test_the_server_and_the_sdk_judge_folders_alike(tmp_path: Path, make: Any) -> None:
    folder = tmp_path / "f"
    make(folder)
    assert private_folder_problem(str(folder)) == _store.private_folder_problem(str(folder))
