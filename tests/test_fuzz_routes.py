"""Fuzzing every route of the REST API: generated bodies, query strings and route parameters
(wrong types, huge numbers, deep nesting, lone surrogates, NUL, very long strings, unknown
fields, paths that climb out or loop) against a root full of traps. No request may answer 5xx;
every 4xx is JSON with a message, and changes nothing on disk."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fuzz_client import Client, check_answer, fuzz_server_config
from fuzz_inputs import NUMBERS, STRINGS, Raw, hostile_body, hostile_value
from fuzz_root import (
    ENV_UUID,
    ENV_UUIDS,
    PATHS,
    PROJECTS,
    QUICKSTART_DOC,
    STEP_TITLES,
    STEP_UUIDS,
    build_root,
    listing,
)

from orchest_lab.handlers import routes
from orchest_lab.handlers.base import api_route
from orchest_lab.handlers.environments import ENV_UUID as ENV_PATTERN
from orchest_lab.handlers.environments import PROJECT as PROJECT_PATTERN

SEED = 20261130
QUICKSTART_FILE = "quickstart/quickstart.orchest"
CASES_PER_ROUTE = 150

# Environment routes (orchest_lab/environments/ and services/environments.py, being fixed in
# parallel by their owner) that still answer 500 here: their 5xx are not failures until that fix
# is merged; delete this set then. Everything else about them (4xx bodies, nothing changed on
# disk by a refused request) is checked. The causes, in environments/definition.py:
# EnvironmentDefinition.load reads properties.json catching FileNotFoundError and
# JSONDecodeError only (a symlink loop: OSError; a 5,000-digit number: ValueError; 100,000
# levels: RecursionError), and EnvironmentDefinition.save's mkdir meets the loops (OSError).
_ONE = api_route(f"environments/{PROJECT_PATTERN}/{ENV_PATTERN}")
ENVIRONMENT_500S_FIXED_ELSEWHERE: set[tuple[str, str]] = set()

VALUES = STRINGS + PATHS
FAR_SCHEDULE = {"cron": "0 3 1 1 *", "timezone": "UTC"}  # a job that waits: runs only when asked
REQUIRED = {"pipeline_path", "mode", "name"}
QUERY_ARGS: dict[str, list[str]] = {
    "pipelines": ["file"],
    "pipelines/data": ["path"],
    "pipelines/data/preview": ["path", "step", "rows"],
    "runs": ["pipeline"],
    "environments": ["project"],
    "log": ["offset", "follow"],
}


@pytest.fixture
def jp_server_config(jp_server_config: dict[str, Any]) -> dict[str, Any]:
    return fuzz_server_config(jp_server_config)


@pytest.fixture
def client(http_server_client: Any, jp_base_url: str, jp_auth_header: dict[str, str]) -> Client:
    return Client(http_server_client, jp_base_url, jp_auth_header)


class Generator:
    """Route parameters, query strings and bodies, each valid or hostile at random."""

    def __init__(self, rng: random.Random, run_id: str, job_id: str) -> None:
        self.rng, self.run_id, self.job_id = rng, run_id, job_id

    def value(self) -> Any:
        return hostile_value(self.rng, VALUES)

    def pick(self, valid: list[Any]) -> Any:
        """One of `valid` mostly, else null (where an object is expected too) or any value."""
        draw = self.rng.random()
        if draw < 0.6:
            return self.rng.choice(valid)
        return None if draw < 0.7 else self.value()

    def route(self, pattern: str, method: str) -> str:
        """The route (after the API prefix) with generated values for its parameters."""
        filled = re.sub(
            r"\(\?P<(\w+)>[^)]*\)",
            lambda m: self.route_parameter(m.group(1), method, pattern),
            pattern,
        )
        return filled.removeprefix("orchest-lab/api/")

    def route_parameter(self, name: str, method: str, pattern: str) -> str:
        rng = self.rng
        if name == "run_id":
            return rng.choice([self.run_id, "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9", "-" * 36])
        if name == "step_uuid":
            return rng.choice([*STEP_UUIDS, "x", "a" * 64, "-"])
        if name == "job_id":
            return rng.choice([self.job_id, "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d", "-" * 36])
        if name == "action":
            return rng.choice(["pause", "resume", "trigger", "cancel"])
        if name == "path":
            return rng.choice(["quickstart.orchest", "load.ipynb", *PATHS, *STRINGS]) or "x"
        if name == "env_uuid":
            # A real build of the quickstart environment would run uv: not in a fuzz test.
            real = [] if pattern.endswith("/build") and method == "POST" else [ENV_UUID]
            return rng.choice([*real, *ENV_UUIDS[1:], "0" * 36, "a" * 64, "-x"])
        project = rng.choice(PROJECTS + STRINGS)
        return project if project.strip("/") else "."

    def query(self, pattern: str) -> dict[str, str]:
        rng = self.rng
        query: dict[str, str] = {}
        key = "log" if pattern.endswith("/log") else pattern.removeprefix("orchest-lab/api/")
        for name in QUERY_ARGS.get(key, []):
            if rng.random() < 0.7:
                if name == "offset":
                    query[name] = rng.choice(["0", "5", "-1", "9" * 5000, "1e3", "", "\x00"])
                elif name == "follow":
                    query[name] = rng.choice(["true", "false", "1", "\ud800"])
                else:
                    query[name] = rng.choice(VALUES)
        if rng.random() < 0.1:
            query[rng.choice(STRINGS) or "x"] = rng.choice(STRINGS)
        return query

    def body(self, pattern: str) -> Any:
        rng = self.rng
        if rng.random() < 0.15:
            return hostile_body(rng, VALUES)
        fields = self.fields(pattern)
        # Required fields are there more often: more requests get as far as running.
        body = {
            name: make()
            for name, make in fields.items()
            if rng.random() < (0.9 if name in REQUIRED else 0.6)
        }
        if rng.random() < 0.1:
            body[rng.choice(STRINGS)] = self.value()
        return body

    def fields(self, pattern: str) -> dict[str, Callable[[], Any]]:
        # The quickstart as often as all the traps together: requests that get far enough to
        # start a run (and have their answer checked) are frequent.
        path = lambda: self.pick([QUICKSTART_FILE] * len(PATHS) + PATHS)  # noqa: E731
        modes = ["full", "selection", "incoming", "downstream", "outdated"]
        source = {
            "path": path,
            "content": lambda: self.pick([json.dumps(QUICKSTART_DOC), Raw('"{\\"a\\": 1}"')]),
            "pipeline": lambda: self.pick([QUICKSTART_DOC, {**QUICKSTART_DOC, "steps": []}]),
        }
        run = {
            "mode": lambda: self.pick(modes),
            "steps": lambda: self.pick([STEP_TITLES[:2], STEP_UUIDS[3:], [self.value()]]),
            "parameters": self.parameters,
        }
        environment = {
            "name": lambda: self.pick(["Fuzzed", "x" * 300]),
            "language": lambda: self.pick(["python", "r"]),
            "base_image": lambda: self.pick(["python:3.12"]),
            "gpu_support": lambda: self.pick([True, False]),
            "setup_script": lambda: self.pick(["", "echo hi\n"]),
        }
        job = {
            "name": lambda: self.pick(["Fuzzed job", "x" * 300, ""]),
            "pipeline_path": path,
            "parameters": lambda: self.pick(
                [
                    {"pipeline": {"dataset": ["a", "b"]}},
                    {"steps": {"Train": {"learning_rate": [0.1, 0.2]}}},
                    {"pipeline": {"dataset": []}},
                    {"pipeline": {"nope": [1]}},
                ]
            ),
            "combinations": lambda: self.pick([[{"pipeline": {}, "steps": {}}], []]),
            "schedule": self.schedule,
            "env_variables": lambda: self.pick([{"A": "1"}, {"A=B": "x"}, {"A": "\x00"}]),
            "max_retained_runs": lambda: self.pick([1, 0, 5]),
            "webhook": lambda: self.pick([{"url": "http://127.0.0.1:9/x"}, {"url": "ftp://x"}]),
        }
        key = pattern.removeprefix("orchest-lab/api/")
        if key == "jobs/schedule-preview":
            return {
                "cron": lambda: self.pick(["0 3 * * *", "99 * * * *", "* * *"]),
                "timezone": lambda: self.pick(["UTC", "Asia/Tokyo", "Mars/Base"]),
                "at": lambda: self.pick(["2099-01-01T00:00:00Z", "2020-01-01T00:00:00Z", "soon"]),
            }
        if key.startswith("jobs"):
            return job
        if key == "pipelines/validate":
            return source
        if key == "pipelines/plan":
            return {**source, **run}
        if key == "runs":
            return {"pipeline_path": path, **run}  # often enough with everything else sound
        if key.startswith("environments"):
            return environment
        return {"x": self.value}

    def schedule(self) -> Any:
        return self.pick(
            [
                {"cron": "0 3 1 1 *", "timezone": "UTC"},
                {"cron": "99 * * * *"},
                {"cron": "0 3 * * *", "timezone": "Mars/Base"},
                {"at": "2020-01-01T00:00:00Z"},
                {"at": "2099-01-01T00:00:00"},
                {"at": "2099-01-01T00:00:00Z"},
            ]
        )

    def parameters(self) -> Any:
        rng = self.rng
        if rng.random() < 0.3:
            return self.value()
        if rng.random() < 0.4:  # sound but for the value: NaN, 1e999, 5,000 digits...
            return {"pipeline": {"x": rng.choice(NUMBERS)}}
        steps = {rng.choice([*STEP_TITLES, *STEP_UUIDS, *STRINGS]): {"p": self.value()}}
        value = rng.choice(NUMBERS) if rng.random() < 0.5 else self.value()
        return {
            "pipeline": {rng.choice(["x", "\ud800", ""]): value},
            "steps": steps if rng.random() < 0.7 else self.value(),
        }


async def test_no_route_answers_5xx_to_generated_requests(
    client: Client, jp_root_dir: Path, tmp_path: Path
) -> None:
    build_root(jp_root_dir, tmp_path / "outside")
    _, started = await client.send("POST", "runs", body={"pipeline_path": QUICKSTART_FILE})
    assert started.code == 202, started.body
    run_id = json.loads(started.body)["id"]
    assert (await client.send("DELETE", f"runs/{run_id}"))[1].code == 200

    job = {"name": "fuzzed", "pipeline_path": QUICKSTART_FILE, "schedule": FAR_SCHEDULE}
    _, made = await client.send("POST", "jobs", body=job)
    assert made.code == 201, made.body
    generate = Generator(random.Random(SEED), run_id, json.loads(made.body)["id"])
    failures: dict[tuple[int, str, str], list[str]] = {}  # by status, method, route
    tolerated = sent = 0
    for pattern, handler in routes():
        for method in ("GET", "POST", "PUT", "DELETE"):
            if method.lower() not in vars(handler):
                continue
            for _ in range(CASES_PER_ROUTE):
                code, problem = await send_and_check(client, jp_root_dir, generate, pattern, method)
                sent += 1
                if problem is None:
                    continue
                if code >= 500 and (method, pattern) in ENVIRONMENT_500S_FIXED_ELSEWHERE:
                    tolerated += 1
                else:
                    failures.setdefault((code, method, pattern), []).append(problem)
    print(f"{tolerated} answers 5xx of environment routes tolerated (fixed elsewhere)")
    assert sent >= 15 * CASES_PER_ROUTE
    assert not failures, summary(failures, sent)


async def send_and_check(
    client: Client, root: Path, generate: Generator, pattern: str, method: str
) -> tuple[int, str | None]:
    """Send one generated request: its status, and what is wrong with the answer."""
    route = generate.route(pattern, method)
    query = generate.query(pattern)
    body = generate.body(pattern) if method in ("POST", "PUT") else None
    # What a refused request may have changed (GET changes nothing, by design).
    before = listing(root) if method != "GET" else None
    url, response = await client.send(method, route, query, body)
    problem = check_answer(method, url, body, response)
    if response.code == 202 and route == "runs":
        await client.send("DELETE", f"runs/{json.loads(response.body)['id']}")
    elif response.code == 201 and route == "jobs":  # its runs would wait for ever
        await client.send("DELETE", f"jobs/{json.loads(response.body)['id']}")
    elif before is not None and 400 <= response.code < 500:
        changed = sorted(listing(root) ^ before)[:3]
        if changed:
            problem = f"{response.code} yet changed {changed}: {method} {url[:160]}"
    return response.code, problem


def summary(failures: dict[tuple[int, str, str], list[str]], sent: int) -> str:
    """The failures by status and route: how many, and the first few of each."""
    count = sum(len(problems) for problems in failures.values())
    lines = [f"{count} of {sent} requests went wrong:"]
    for (code, method, pattern), problems in sorted(failures.items()):
        lines.append(f"{len(problems)} x {code} {method} {pattern}, such as:")
        lines += [f"    {problem}" for problem in problems[:3]]
    return "\n".join(lines)
