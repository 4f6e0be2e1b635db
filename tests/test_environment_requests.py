"""Bad input to every environment route: a 4xx whose message names the field, never a 500, and
nothing created, changed or half-written on disk."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from api_client import call, payload

from orchest_lab.environments.definition import DefinitionNotFound, EnvironmentDefinition


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
