"""Steps run at a lower CPU priority than the server (c.LocalExecutor.step_niceness, 10 by
default), notebooks and scripts alike, so that the server answers while steps use every core."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from api_client import start_run, wait_run
from project_factory import stdout_of, write_pipeline


async def test_steps_run_at_a_lower_priority_than_the_server(
    jp_fetch: Any, jp_root_dir: Path
) -> None:
    written = jp_root_dir / "script.txt"
    files: dict[str, Any] = {
        "nb.ipynb": ["import os; print(os.nice(0))"],
        "script.py": f"import os; open({str(written)!r}, 'w').write(str(os.nice(0)))\n",
    }
    write_pipeline(jp_root_dir, {"Nb": ("nb.ipynb", []), "Script": ("script.py", [])}, files)
    run = await wait_run(
        jp_fetch, (await start_run(jp_fetch, {"pipeline_path": "p.orchest"}))["id"]
    )
    assert run["status"] == "SUCCESS"
    expected = min(os.nice(0) + 10, 19)
    assert stdout_of(jp_root_dir / "nb.ipynb").strip() == str(expected)
    assert written.read_text() == str(expected)
