"""A cloned repository may plant symlinks: nothing a run reads, runs or writes may lie outside
the project through one, whenever it was planted (before validation or during the run)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from api_client import call, payload, start_run, steps_by_title, wait_run
from project_factory import write_notebook, write_pipeline


async def run_pipeline(jp_fetch: Any) -> dict[str, Any]:
    return await wait_run(
        jp_fetch, (await start_run(jp_fetch, {"pipeline_path": "p.orchest"}))["id"]
    )


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder outside the server root, which nothing may touch."""
    folder = tmp_path / "outside"
    (folder / "sub").mkdir(parents=True)
    (folder / "evil.py").write_text(f"open({str(folder / 'ran')!r}, 'w').close()\n")
    return folder


async def test_a_step_reached_through_a_symlink_and_dot_dot_is_refused(
    jp_fetch: Any, jp_root_dir: Path, outside: Path
) -> None:
    write_pipeline(jp_root_dir, {"Evil": ("lnk/../evil.py", [])}, {})
    (jp_root_dir / "lnk").symlink_to(outside / "sub")  # lnk/.. is `outside`, not the root
    result = payload(await call(jp_fetch, "POST", "pipelines/validate", {"path": "p.orchest"}))
    assert result["valid"] is False
    assert [i["code"] for i in result["issues"]] == ["path-outside-project"]
    refused = await call(jp_fetch, "POST", "runs", {"pipeline_path": "p.orchest"})
    assert refused.code == 400
    assert not (outside / "ran").exists()


@pytest.mark.parametrize("kind", ["script", "notebook"])
async def test_a_step_file_swapped_for_a_symlink_during_the_run_does_not_run(
    jp_fetch: Any, jp_root_dir: Path, outside: Path, kind: str
) -> None:
    target = outside / ("evil.py" if kind == "script" else "evil.ipynb")
    if kind == "notebook":
        write_notebook(target, f"open({str(outside / 'ran')!r}, 'w').close()")
    before = target.read_bytes()
    second = "b.py" if kind == "script" else "b.ipynb"
    swap = f"import os\nos.remove({second!r})\nos.symlink({str(target)!r}, {second!r})\n"
    files: dict[str, Any] = {"a.py": swap, second: "print('b')\n" if kind == "script" else ["1"]}
    write_pipeline(jp_root_dir, {"A": ("a.py", []), "B": (second, ["A"])}, files)
    run = await wait_run(
        jp_fetch, (await start_run(jp_fetch, {"pipeline_path": "p.orchest"}))["id"]
    )
    b = steps_by_title(run)["B"]
    assert b["status"] == "FAILURE"
    assert b["failure"]["name"] == "PathOutsideProject"
    assert not (outside / "ran").exists()
    assert target.read_bytes() == before, "the outside file was neither run nor written"


async def test_a_symlinked_state_folder_refuses_the_run(
    jp_fetch: Any, jp_root_dir: Path, outside: Path
) -> None:
    write_pipeline(jp_root_dir, {"A": ("a.py", [])}, {"a.py": "print('a')\n"})
    (jp_root_dir / ".orchest").mkdir()
    (jp_root_dir / ".orchest" / "pipelines").symlink_to(outside / "sub")
    refused = await call(jp_fetch, "POST", "runs", {"pipeline_path": "p.orchest"})
    assert refused.code == 400
    assert "leads outside the project through a symlink" in payload(refused)["message"]
    assert payload(refused)["issues"][0]["code"] == "path-outside-project"
    assert os.listdir(outside / "sub") == []


async def test_a_planted_log_symlink_is_replaced_not_followed(
    jp_fetch: Any, jp_root_dir: Path, outside: Path
) -> None:
    document, uuids, _ = write_pipeline(jp_root_dir, {"A": ("a.py", [])}, {"a.py": "print('hi')\n"})
    logs = jp_root_dir / ".orchest" / "pipelines" / str(document.uuid) / "logs"
    logs.mkdir(parents=True)
    victim = outside / "victim.txt"
    victim.write_text("keep me")
    (logs / f"{uuids['A']}.log").symlink_to(victim)
    run = await wait_run(
        jp_fetch, (await start_run(jp_fetch, {"pipeline_path": "p.orchest"}))["id"]
    )
    assert run["status"] == "SUCCESS"
    assert victim.read_text() == "keep me"
    log = logs / f"{uuids['A']}.log"
    assert not log.is_symlink() and log.read_text() == "hi\n"
