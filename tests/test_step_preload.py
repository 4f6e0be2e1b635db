"""Modules preloaded by the zygotes kernels are forked from (`c.OrchestLab.preload_modules`):
a step finds them imported when it starts, yet every step is still a process in which no other
step's code ran, and each environment's zygote imports what that environment has."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from api_client import start_run, steps_by_title, wait_run
from environment_helpers import build, create_environment
from project_factory import read_outputs, write_pipeline

from orchest_lab.environments.kernelspecs import SDK_PATH

# The first thing a step does: say which modules it finds imported, importing none of them.
REPORT_IMPORTED = (
    "import sys, json\n"
    "print(json.dumps({name: name in sys.modules for name in ('pandas', 'orchest', 'inflection')}"
    " | {'orchest_file': getattr(sys.modules.get('orchest'), '__file__', None)}))"
)


def printed_json(path: Path, cell: int = 0) -> Any:
    outputs = read_outputs(path)[cell][1]
    return json.loads("".join(str(o.get("text", "")) for o in outputs))


@pytest.fixture
def preload(request: pytest.FixtureRequest) -> list[str] | None:
    return getattr(request, "param", None)


@pytest.fixture
def jp_server_config(jp_server_config: dict[str, Any], preload: list[str] | None) -> Any:
    if preload is not None:
        jp_server_config["OrchestLab"]["preload_modules"] = preload
    return jp_server_config


@pytest.mark.parametrize(
    ("preload", "expected"),
    [
        (None, {"pandas": True, "orchest": True}),  # the default: the SDK, numpy, pandas, pyarrow
        ([], {"pandas": False, "orchest": False}),
        # A module the kernel's Python lacks is skipped: the others are still preloaded.
        (["no_such_module_here", "pandas"], {"pandas": True, "orchest": False}),
    ],
    indirect=["preload"],
)
async def test_a_step_starts_with_the_preloaded_modules_imported(
    jp_fetch: Any, jp_root_dir: Path, expected: dict[str, bool]
) -> None:
    write_pipeline(jp_root_dir, {"A": ("a.ipynb", [])}, {"a.ipynb": [REPORT_IMPORTED]})
    run = await wait_run(
        jp_fetch, (await start_run(jp_fetch, {"pipeline_path": "p.orchest"}))["id"]
    )
    assert run["status"] == "SUCCESS", run
    report = printed_json(jp_root_dir / "a.ipynb")
    assert {name: report[name] for name in expected} == expected
    if expected["orchest"]:  # the SDK orchest-lab ships, as `import orchest` finds it in a step
        assert Path(report["orchest_file"]).is_relative_to(SDK_PATH)


LEAVE_STATE = (
    "import os, pandas\n"
    "pandas.left_by_a = 'A was here'\n"
    "left_by_a = 'a global of A'\n"
    "print(os.getpid())"
)
LOOK_FOR_STATE = (
    "import os, json, pandas\n"
    "print(json.dumps({'module': hasattr(pandas, 'left_by_a'), 'global': 'left_by_a' in "
    "globals(), 'pid': os.getpid()}))"
)


@pytest.mark.parametrize("preload", [["pandas"]], indirect=True)
async def test_a_step_sees_nothing_of_the_step_before_it(
    jp_fetch: Any, jp_root_dir: Path, preload: list[str]
) -> None:
    write_pipeline(
        jp_root_dir,
        {"A": ("a.ipynb", []), "B": ("b.ipynb", ["A"])},
        {"a.ipynb": [LEAVE_STATE], "b.ipynb": [LOOK_FOR_STATE]},
    )
    run = await wait_run(
        jp_fetch, (await start_run(jp_fetch, {"pipeline_path": "p.orchest"}))["id"]
    )
    assert run["status"] == "SUCCESS", run
    pid_of_a = printed_json(jp_root_dir / "a.ipynb")
    seen_by_b = printed_json(jp_root_dir / "b.ipynb")
    assert seen_by_b == {"module": False, "global": False, "pid": seen_by_b["pid"]}
    assert seen_by_b["pid"] != pid_of_a


@pytest.mark.parametrize("preload", [["inflection", "pandas"]], indirect=True)
async def test_each_environment_preloads_what_it_has(
    jp_fetch: Any, jp_root_dir: Path, preload: list[str]
) -> None:
    project = jp_root_dir / "project"
    project.mkdir()
    with_package = await create_environment(
        jp_fetch, "project", "With inflection", "pip install inflection\n"
    )
    plain = await create_environment(jp_fetch, "project", "Plain")
    for environment in (with_package, plain):
        built = await build(jp_fetch, "project", environment["uuid"])
        assert built["build"]["state"] == "ready", built
    document, uuids, path = write_pipeline(
        project,
        {"Has it": ("has.ipynb", []), "Lacks it": ("lacks.ipynb", [])},
        {"has.ipynb": [REPORT_IMPORTED], "lacks.ipynb": [REPORT_IMPORTED]},
    )
    document.data["steps"][uuids["Has it"]]["environment"] = with_package["uuid"]
    document.data["steps"][uuids["Lacks it"]]["environment"] = plain["uuid"]
    document.save(path)
    run = await wait_run(
        jp_fetch,
        (await start_run(jp_fetch, {"pipeline_path": "project/p.orchest"}))["id"],
        timeout=120,
    )
    steps = steps_by_title(run)
    assert [steps[t]["status"] for t in ("Has it", "Lacks it")] == ["SUCCESS", "SUCCESS"], run
    has, lacks = printed_json(project / "has.ipynb"), printed_json(project / "lacks.ipynb")
    assert has["inflection"] is True
    assert lacks["inflection"] is False
    # The environments' Pythons have no pandas (the server's has): neither zygote imported it.
    assert has["pandas"] is lacks["pandas"] is False
