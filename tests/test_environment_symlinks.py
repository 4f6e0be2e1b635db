"""A repository may plant symlinks in `.orchest/` that lead out of the project: no route reads,
writes, builds, runs or deletes through them, and what they point at stays as it was."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from api_client import call, payload, steps_by_title, wait_run
from project_factory import write_pipeline
from test_environment_requests import tree_state

ENV = "planted"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """Environments of someone else, outside the server root; building this one leaves a mark."""
    folder = tmp_path / "outside"
    env = folder / "environments" / ENV
    env.mkdir(parents=True)
    (env / "properties.json").write_text('{"name": "Outside", "language": "python"}')
    (env / "setup_script.sh").write_text(f"touch {tmp_path / 'pwned'}\n")
    (folder / "precious.txt").write_text("keep me")
    return folder


def plant(project: Path, outside: Path, where: str) -> None:
    state = project / ".orchest"
    if where == ".orchest":
        state.symlink_to(outside)
    elif where == ".orchest/environments":
        state.mkdir()
        (state / "environments").symlink_to(outside / "environments")
    elif where == f"environments/{ENV}":  # the environment folder itself
        (state / "environments").mkdir(parents=True)
        (state / "environments" / ENV).symlink_to(outside / "environments" / ENV)
    else:  # its setup script
        (state / "environments" / ENV).mkdir(parents=True)
        (state / "environments" / ENV / "properties.json").write_text('{"name": "Mine"}')
        (state / "environments" / ENV / "setup_script.sh").symlink_to(
            outside / "environments" / ENV / "setup_script.sh"
        )


@pytest.mark.parametrize(
    "where",
    [
        ".orchest",
        ".orchest/environments",
        f"environments/{ENV}",
        f"environments/{ENV}/setup_script.sh",
    ],
)
async def test_planted_symlinks_leading_out_of_the_project_are_refused(
    jp_fetch: Any, jp_root_dir: Path, tmp_path: Path, outside: Path, where: str
) -> None:
    project = jp_root_dir / "proj"
    project.mkdir()
    plant(project, outside, where)
    before = tree_state(outside)
    own_folder = where.startswith("environments/")  # the environments folder is the project's
    expected = "is a symlink" if where == f"environments/{ENV}" else "leads outside the project"

    one = f"environments/proj/{ENV}"
    requests: list[tuple[str, str, Any]] = [
        ("GET", one, None),
        ("PUT", one, {"setup_script": "echo changed\n"}),
        ("POST", f"{one}/build", None),
        ("DELETE", f"{one}/build", None),
        ("GET", f"{one}/build/log", None),
        ("DELETE", one, None),
    ]
    if not own_folder:
        requests.append(("GET", "environments", None))
        requests.append(("POST", "environments", {"name": "New"}))
    for method, route, body in requests:
        params = {"project": "proj"} if route == "environments" else None
        response = await call(jp_fetch, method, route, body, params=params)
        assert response.code == 400, (method, route, response.code, response.body[:300])
        assert expected in payload(response)["message"], (method, route)
    if own_folder:
        listed = payload(await call(jp_fetch, "GET", "environments", params={"project": "proj"}))
        assert [e["uuid"] for e in listed["environments"]] == [ENV]
        assert expected in listed["environments"][0]["error"]

    assert tree_state(outside) == before

    # A run does not build or use it either: with `.orchest` itself outside, the run is refused
    # (its logs would go there); else its step fails, saying why.
    before = tree_state(outside)
    document, uuids, path = write_pipeline(project, {"S": ("s.py", [])}, {"s.py": "print(1)\n"})
    document.data["steps"][uuids["S"]]["environment"] = ENV
    document.save(path)
    response = await call(jp_fetch, "POST", "runs", {"pipeline_path": "proj/p.orchest"})
    if response.code == 400:
        assert where == ".orchest"
        assert payload(response)["issues"][0]["code"] == "path-outside-project"
    else:
        run = await wait_run(jp_fetch, payload(response)["id"])
        failure = steps_by_title(run)["S"]["failure"]
        assert failure["name"] == "EnvironmentUnavailable"
        assert expected in failure["message"]

    assert tree_state(outside) == before
    assert not (tmp_path / "pwned").exists()
