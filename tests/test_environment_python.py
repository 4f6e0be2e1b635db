"""An environment's Python: the version its base image names is found (or installed) by uv, and
a build that fails says the real cause, not whatever its output said last."""

from __future__ import annotations

from typing import Any

from api_client import call
from environment_helpers import build, create_environment

from orchest_lab.environments.builder import failure_cause


async def test_a_python_that_is_not_there_and_cannot_be_installed_says_what_to_do(
    jp_fetch: Any,
) -> None:
    environment = await create_environment(jp_fetch, ".", "Old")
    env = f"environments/./{environment['uuid']}"
    await call(jp_fetch, "PUT", env, {"base_image": "python:3.99"})
    failed = await build(jp_fetch, ".", environment["uuid"])
    message = failed["build"]["message"]
    assert failed["build"]["state"] == "failed"
    assert message.startswith(
        "base image 'python:3.99' asks for Python 3.99, which is not installed here, and uv "
        "could not install it"
    )
    assert "No download found" in message, message  # uv's own reason
    assert "uv python install 3.99" in message
    log = (await call(jp_fetch, "GET", f"{env}/build/log")).body.decode()
    assert "Python 3.99 is not installed; asking uv for it" in log


async def test_a_failed_setup_script_reports_its_error_not_its_last_line(
    jp_fetch: Any,
) -> None:
    script = (
        "python -c \"raise ImportError('pyarrow requires NumPy 2')\"; status=$?\n"
        "echo '[notice] A new release of pip is available'\n"
        "exit $status\n"
    )
    environment = await create_environment(jp_fetch, ".", "Broken", setup_script=script)
    failed = await build(jp_fetch, ".", environment["uuid"])
    assert failed["build"]["message"] == (
        "could not run the setup script (exit status 1): ImportError: pyarrow requires NumPy 2"
    )


def test_the_cause_of_a_resolver_failure_is_its_conclusion() -> None:
    output = [
        "Using Python 3.11.7 environment at: venv",
        "  \u00d7 No solution found when resolving dependencies:",
        "  \u2570\u2500\u25b6 Because you require numpy<1 and numpy>1, we can conclude that your"
        " requirements are unsatisfiable.",
        "hint: pin fewer packages",
    ]
    assert failure_cause(output).endswith("your requirements are unsatisfiable.")
    assert failure_cause(["all fine", "done"]) == "done"
    assert failure_cause([]) == ""
