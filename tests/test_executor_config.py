"""The executor is configurable: which class (`c.OrchestLab.executor_class`) and, for each
executor, settings of its own class (`c.LocalExecutor.*`)."""

from __future__ import annotations

from typing import Any

import pytest
from api_client import start_run, wait_run
from project_factory import write_pipeline

from orchest_lab.executors.local import LocalExecutor


@pytest.fixture
def jp_server_config(jp_server_config: dict[str, Any]) -> dict[str, Any]:
    jp_server_config["LocalExecutor"] = {"kernel_pool_size": 0, "fork_kernels": False}
    return jp_server_config


async def test_the_local_executor_takes_its_own_settings(
    jp_serverapp: Any, jp_fetch: Any, jp_root_dir: Any
) -> None:
    (app,) = jp_serverapp.extension_manager.extension_apps["orchest_lab"]
    executor = app.executor
    assert isinstance(executor, LocalExecutor)
    assert (executor.kernel_pool_size, executor.fork_kernels) == (0, False)
    # Without a pool or forking, notebooks still run: each on a kernel started for it.
    write_pipeline(jp_root_dir, {"A": ("a.ipynb", [])}, {"a.ipynb": ["print('cold')"]})
    run = await wait_run(
        jp_fetch, (await start_run(jp_fetch, {"pipeline_path": "p.orchest"}))["id"]
    )
    assert run["status"] == "SUCCESS"
