"""Configuration of the Jupyter server the browser tests run against.

Playwright's `webServer` starts `jupyter lab --config jupyter_server_test_config.py`.
The server's root is a fresh temporary copy of `examples/quickstart` plus
`broken.orchest`, a pipeline with a cycle, a missing file and an unknown
environment, written here at start-up: the tests never touch the repository.
In the copy, the quickstart's steps use no environment (the notebooks' own
kernel), so that running it never builds an environment. Runs are recorded in
a temporary database and share a temporary data folder.
"""

import atexit
import json
import os
import shutil
import tempfile
from pathlib import Path

from jupyterlab.galata import configure_jupyter_server

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "quickstart"

KERNEL = {"display_name": "Python 3", "name": "python"}


def step(uuid, title, file_path, parents, position, environment=""):
    return {
        "environment": environment,
        "file_path": file_path,
        "incoming_connections": parents,
        "kernel": KERNEL,
        "meta_data": {"hidden": False, "position": position},
        "parameters": {},
        "title": title,
        "uuid": uuid,
    }


LOAD = "11111111-1111-4111-8111-111111111111"
PREPARE = "22222222-2222-4222-8222-222222222222"
CHECK = "33333333-3333-4333-8333-333333333333"
REPORT = "44444444-4444-4444-8444-444444444444"

# Load -> Prepare <-> Check (a cycle) -> Report. Prepare's notebook does not
# exist; Report uses an environment the project does not define.
BROKEN = {
    "name": "broken",
    "parameters": {},
    "settings": {
        "auto_eviction": False,
        "data_passing_memory_size": "1GB",
        "max_steps_parallelism": 0,
    },
    "steps": {
        LOAD: step(LOAD, "Load", "load.ipynb", [], [80, 200]),
        PREPARE: step(PREPARE, "Prepare", "prepare.ipynb", [LOAD, CHECK], [380, 200]),
        CHECK: step(CHECK, "Check", "clean.py", [PREPARE], [680, 200]),
        REPORT: step(
            REPORT,
            "Report",
            "report.sh",
            [CHECK],
            [980, 200],
            environment="9e9e9e9e-0000-4000-8000-000000000000",
        ),
    },
    "uuid": "0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f",
    "version": "1.0.0",
}

PREFIX = "orchest-lab-ui-tests-"
OWNER_FILE = ".orchest-lab-ui-tests-pid"


def remove_stale_folders() -> None:
    """Removes the folders of earlier test servers that are gone.

    Playwright stops the server with a signal, so `atexit` does not always run.
    """
    for folder in Path(tempfile.gettempdir()).glob(PREFIX + "*"):
        try:
            os.kill(int((folder / OWNER_FILE).read_text()), 0)
        except (OSError, ValueError):
            shutil.rmtree(folder, ignore_errors=True)


remove_stale_folders()
root = Path(tempfile.mkdtemp(prefix=PREFIX))
state = Path(tempfile.mkdtemp(prefix=PREFIX + "state-"))
for folder in (root, state):
    (folder / OWNER_FILE).write_text(str(os.getpid()))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
# The kernelspecs of environments built by the tests go with the test folders.
os.environ["JUPYTER_DATA_DIR"] = str(state / "jupyter-data")
shutil.copytree(EXAMPLE, root, dirs_exist_ok=True)
(root / "broken.orchest").write_text(json.dumps(BROKEN, indent=4) + "\n")

quickstart = root / "quickstart.orchest"
text = quickstart.read_text()
for environment in {step["environment"] for step in json.loads(text)["steps"].values()}:
    text = text.replace(f'"environment": "{environment}"', '"environment": ""')
quickstart.write_text(text)

configure_jupyter_server(c)  # noqa: F821 (`c` is given by Jupyter's config loader)
c.ServerApp.root_dir = str(root)  # noqa: F821
# Not 8888, so that the tests can run while `make lab` serves JupyterLab.
c.ServerApp.port = int(os.environ.get("UI_TEST_PORT", "8899"))  # noqa: F821
c.ServerApp.allow_root = True  # noqa: F821 (the test machines run as root)
c.LabApp.news_url = None  # noqa: F821
# Tests give their projects a `.orchest/` folder through the contents API.
c.ContentsManager.allow_hidden = True  # noqa: F821
# A folder's listing fails as a whole (404: JupyterLab says "Directory not found" and shows the
# root) when a file in it disappears while it is listed. With hidden files shown, the temporary
# files of atomic saves do: Jupyter's `.~<name>` (the server's end in `~`, hidden by default).
jupyter_hide_globs = ["__pycache__", "*.pyc", "*.pyo", ".DS_Store", "*~"]
c.ContentsManager.hide_globs = [*jupyter_hide_globs, ".~*"]  # noqa: F821
c.OrchestLab.state_dir = str(state / "state")  # noqa: F821
c.OrchestLab.data_dir = str(state / "data")  # noqa: F821
# Quiet logs: Galata probes for folders that do not exist yet (404 warnings).
c.ServerApp.log_level = "ERROR"  # noqa: F821
