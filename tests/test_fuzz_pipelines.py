"""Fuzzing with mutated pipelines: the quickstart, randomly mutated, is validated (as text and
as JSON), planned, written to disk and run. No answer is 5xx; validation agrees with itself
whichever way the pipeline is given, and with runs: an invalid pipeline is refused (400, with
nothing of a run left on disk), a valid one runs (202) or is refused with a message."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from fuzz_client import Client, check_answer, fuzz_server_config
from fuzz_inputs import Raw, to_text
from fuzz_mutations import mutated
from fuzz_root import QUICKSTART_DOC, build_root, listing

SEED = 61
CASES = 150
PROJECTS = ["quickstart"] * 4 + ["loops2"]  # mostly a sound project, sometimes a trapped one


@pytest.fixture
def jp_server_config(jp_server_config: dict[str, Any]) -> dict[str, Any]:
    return fuzz_server_config(jp_server_config)


@pytest.fixture
def client(http_server_client: Any, jp_base_url: str, jp_auth_header: dict[str, str]) -> Client:
    return Client(http_server_client, jp_base_url, jp_auth_header)


class Case:
    """One mutated pipeline: the answers about it, and what was wrong with them."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.problems: list[str] = []

    async def ask(self, method: str, route: str, body: Any) -> tuple[int, Any]:
        url, response = await self.client.send(method, route, body=body)
        problem = check_answer(method, url, body, response)
        if problem:
            self.problems.append(problem)
        try:
            return response.code, json.loads(response.body)
        except ValueError:
            return response.code, None

    def expect(self, condition: bool, what: str) -> None:
        if not condition:
            self.problems.append(what)

    async def check(self, text: str, root: Path, project: str) -> str:
        """Validate, plan and run the pipeline `text`; the outcome ("valid 202", ...)."""
        path = f"{project}/fuzz.orchest"
        # The pipeline as text and as JSON, with and without its place; then as a file.
        await self.ask("POST", "pipelines/validate", {"content": text})
        await self.ask("POST", "pipelines/plan", {"content": text, "mode": "full"})
        _, as_text = await self.ask("POST", "pipelines/validate", {"content": text, "path": path})
        code, as_object = await self.ask(
            "POST", "pipelines/validate", Raw(f'{{"pipeline": {text}, "path": "{path}"}}')
        )
        (root / path).write_text(text, encoding="utf-8")
        _, on_disk = await self.ask("POST", "pipelines/validate", {"path": path})
        self.expect(on_disk == as_text, f"validating the file and its text differ: {on_disk}")
        if code == 200 and "invalid-json" not in str(as_text):  # a body Python could read
            self.expect(as_object == as_text, f"as JSON {as_object}, as text {as_text}")
        valid = isinstance(on_disk, dict) and on_disk.get("valid") is True

        plan_code, plan = await self.ask("POST", "pipelines/plan", {"path": path, "mode": "full"})
        self.expect(plan_code == (200 if valid else 400), f"valid={valid}, plan: {plan}")
        before = listing(root / project)
        run_code, run = await self.ask("POST", "runs", {"pipeline_path": path})
        if run_code == 202:
            await self.ask("DELETE", f"runs/{run['id']}", None)
        else:
            changed = sorted(listing(root / project) ^ before)[:3]
            self.expect(not changed, f"a refused run left {changed}")
        self.expect(run_code in ((202, 400, 409) if valid else (400,)), f"valid={valid}: {run}")
        return f"{'valid' if valid else 'invalid'} {run_code}"


async def test_mutated_pipelines_validate_plan_and_run_without_5xx(
    client: Client, jp_root_dir: Path, tmp_path: Path
) -> None:
    build_root(jp_root_dir, tmp_path / "outside")
    rng = random.Random(SEED)
    problems: list[str] = []
    outcomes: dict[str, int] = {}
    for number in range(CASES):
        text = to_text(mutated(QUICKSTART_DOC, rng))
        case = Case(client)
        outcome = await case.check(text, jp_root_dir, rng.choice(PROJECTS))
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        if case.problems:
            problems.append(f"case {number} ({text[:300]!r}):\n    " + "\n    ".join(case.problems))
    print("validation and run outcomes:", outcomes)
    # Both kinds are generated often enough for agreement to be tested.
    assert outcomes.get("valid 202", 0) >= 10 and outcomes.get("invalid 400", 0) >= 50, outcomes
    assert not problems, f"{len(problems)} of {CASES} cases went wrong:\n" + "\n".join(
        problems[:15]
    )
