"""Bad input to every environment route: a 4xx whose message names the field, never a 500, and
nothing created, changed or half-written on disk."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from api_client import call, payload

from orchest_lab.environments.definition import (
    DefinitionError,
    DefinitionNotFound,
    EnvironmentDefinition,
)

FIELDS = ("name", "language", "base_image", "setup_script")
LONG_NAME = "p" * 300  # longer than a file name may be (ENAMETOOLONG)


def tree_state(root: Path) -> dict[str, Any]:
    """Every entry under `root`, folders and symlinks too, with the bytes of files."""
    state: dict[str, Any] = {}
    for folder, dirs, files in os.walk(root):  # symlinked folders are listed, not entered
        for name in dirs + files:
            path = Path(folder, name)
            key = str(path.relative_to(root))
            if path.is_symlink():
                state[key] = ("symlink", os.readlink(path))
            elif path.is_dir():
                state[key] = "folder"
            else:
                state[key] = path.read_bytes()
    return state


def routes(project: str, env_uuid: str) -> list[tuple[str, str, dict[str, Any] | None]]:
    """(method, route, body) of every environment route, for the given project and env."""
    query = f"environments?project={project}"
    one = f"environments/{project}/{env_uuid}"
    return [
        ("GET", query, None),
        ("POST", query, {"name": "New"}),
        ("GET", one, None),
        ("PUT", one, {"name": "Renamed"}),
        ("DELETE", one, None),
        ("POST", f"{one}/build", None),
        ("DELETE", f"{one}/build", None),
        ("GET", f"{one}/build/log", None),
    ]


async def send(jp_fetch: Any, method: str, route: str, body: Any) -> Any:
    path, _, query = route.partition("?project=")
    params = {"project": query} if query else None
    return await call(jp_fetch, method, path, body, params=params)


@pytest.fixture
def environment(jp_root_dir: Path) -> EnvironmentDefinition:
    """An environment of the project `proj`, and a symlink loop beside the project."""
    (jp_root_dir / "proj").mkdir()
    definition = EnvironmentDefinition.new("Existing")
    definition.save(jp_root_dir / "proj")
    os.symlink("loop", jp_root_dir / "loop")
    return definition


@pytest.mark.parametrize(
    ("project", "why"),
    [(LONG_NAME, "longer than 255 bytes"), ("loop", "symlink loop")],
    ids=["name-too-long", "symlink-loop"],
)
async def test_a_project_folder_that_cannot_be_a_path_is_refused_on_every_route(
    jp_fetch: Any,
    jp_root_dir: Path,
    environment: EnvironmentDefinition,
    project: str,
    why: str,
) -> None:
    before = tree_state(jp_root_dir)
    for method, route, body in routes(project, environment.uuid):
        response = await send(jp_fetch, method, route, body)
        what = f"{method} {route[:60]}"
        assert response.code == 400, (what, response.code, response.body[:300])
        message = payload(response)["message"]
        assert message.startswith("project folder"), (what, message)
        assert why in message, (what, message)
    assert tree_state(jp_root_dir) == before


BAD_VALUES = {
    "null": None,
    "lone surrogate": "a\ud800b",  # sent as the JSON escape "\ud800"
    "NUL": "a\x00b",
}
WHY = {
    "null": "not null",
    "lone surrogate": "is not valid Unicode",
    "NUL": "contains a NUL character",
}


@pytest.mark.parametrize(
    ("kind", "field"),
    [("null", "gpu_support")] + [(kind, field) for kind in BAD_VALUES for field in FIELDS],
)
async def test_a_bad_field_value_is_refused_naming_the_field(
    jp_fetch: Any,
    jp_root_dir: Path,
    environment: EnvironmentDefinition,
    field: str,
    kind: str,
) -> None:
    before = tree_state(jp_root_dir)
    for method, route, _ in routes("proj", environment.uuid):
        if method not in ("POST", "PUT") or route.endswith("/build"):
            continue  # the routes that take the fields
        body = {"name": "Ok", field: BAD_VALUES[kind]}
        raw = json.dumps(body)  # ensure_ascii: the surrogate travels as "\ud800"
        response = await send(jp_fetch, method, route, raw)
        what = f"{method} {route}"
        assert response.code == 400, (what, response.code, response.body[:300])
        message = payload(response)["message"]
        assert f"field '{field}'" in message, (what, message)
        assert WHY[kind] in message, (what, message)
    assert tree_state(jp_root_dir) == before


def test_a_missing_definition_raises_a_typed_error(tmp_path: Path) -> None:
    with pytest.raises(DefinitionNotFound, match=r"properties\.json does not exist"):
        EnvironmentDefinition.load(tmp_path, "absent")


async def test_a_broken_definition_is_a_400_even_when_its_message_says_does_not_exist(
    jp_fetch: Any, jp_root_dir: Path
) -> None:
    # The status comes from the error's type: this message holds "does not exist" too.
    folder = jp_root_dir / ".orchest" / "environments" / "odd"
    folder.mkdir(parents=True)
    (folder / "properties.json").write_text('{"uuid": "does not exist", "name": "Odd"}')
    response = await call(jp_fetch, "GET", "environments/./odd")
    assert response.code == 400, payload(response)
    assert "field 'uuid' is 'does not exist', not its folder's name" in payload(response)["message"]
    missing = await call(jp_fetch, "GET", "environments/./absent")
    assert missing.code == 404
    assert payload(missing)["message"] == "project '.' has no environment 'absent'"


@pytest.mark.parametrize("field", ["name", "base_image", "setup_script"])
def test_a_definition_that_cannot_be_written_is_refused_before_any_write(
    tmp_path: Path, field: str
) -> None:
    definition = EnvironmentDefinition.new("Fine")
    setattr(definition, field, "ok\ud800")
    with pytest.raises(DefinitionError, match=f"field '{field}' is not valid Unicode"):
        definition.save(tmp_path)
    assert list(tmp_path.iterdir()) == []
