"""Input that once made the API answer 500 ("Unhandled error"): each exact request, now a 4xx
whose message says what is wrong and where, or a validation issue with its pointer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from api_client import call, payload

QUICKSTART_FILE = "quickstart/quickstart.orchest"
DEEP_TEXT = '{"a":' * 100_000 + "0" + "}" * 100_000
HUGE_NUMBER = '{"name": ' + "9" * 5000 + "}"


@pytest.mark.parametrize(
    ("body", "expected"),
    [("[" * 100_000, "nested too deeply"), ('{"mode": ' + "9" * 5000 + "}", "4300 digits")],
)
async def test_a_request_body_that_python_cannot_read_is_a_400(
    jp_fetch: Any, body: str, expected: str
) -> None:
    for route in ("pipelines/validate", "pipelines/plan", "runs"):
        response = await call(jp_fetch, "POST", route, body)
        assert response.code == 400
        assert expected in payload(response)["message"]
        assert payload(response)["issues"][0]["code"] == "invalid-json"


@pytest.mark.parametrize(("text", "expected"), [(DEEP_TEXT, "too deeply"), (HUGE_NUMBER, "4300")])
async def test_pipeline_text_that_python_cannot_read_is_invalid_json(
    jp_fetch: Any, jp_root_dir: Path, text: str, expected: str
) -> None:
    response = await call(jp_fetch, "POST", "pipelines/validate", {"content": text})
    assert response.code == 200
    (issue,) = payload(response)["issues"]
    assert issue["code"] == "invalid-json" and expected in issue["message"]

    (jp_root_dir / "p.orchest").write_text(text)
    listed = payload(await call(jp_fetch, "GET", "pipelines"))["pipelines"]
    assert [p["path"] for p in listed] == ["p.orchest"]
    assert listed[0]["error"].startswith("cannot be read") and expected in listed[0]["error"]
    for route, body in [
        ("pipelines/plan", {"path": "p.orchest", "mode": "full"}),
        ("runs", {"pipeline_path": "p.orchest"}),
    ]:
        refused = await call(jp_fetch, "POST", route, body)
        assert refused.code == 400
        assert payload(refused)["issues"][0]["code"] == "invalid-json"
