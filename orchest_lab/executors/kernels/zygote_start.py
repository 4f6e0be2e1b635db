"""Starting a zygote process (see zygote_main.py), and the one a command starts as its first act.

Nothing here imports asyncio: `orchest-lab run` starts its zygote before it imports anything
slow, so that the zygote's own imports of ipykernel overlap the command's (see cli/early.py).
"""

from __future__ import annotations

import json
import os
import subprocess
from typing import NamedTuple

from ..priority import lower_priority

# (Neither pathlib nor dataclasses either: 25 ms of imports before the zygote starts.)
ZYGOTE_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "zygote_main.py")
# Forked kernels run steps, whose inputs belong in their notebooks, not in the user's IPython
# history: no history database (its opening and writer thread are a fifth of a kernel's start).
# Given to every kernel (before its kernelspec's options), and to the zygote, which builds the
# shell of kernels with these options only.
STEP_KERNEL_OPTIONS = ("--HistoryManager.enabled=False",)
# What forked kernels find imported (`c.OrchestLab.preload_modules`): the SDK and what it passes
# data with, when the kernel's Python has them.
DEFAULT_PRELOAD = ("orchest", "numpy", "pandas", "pyarrow")

ZygoteKey = tuple[str, tuple[tuple[str, str], ...]]


class ZygoteError(RuntimeError):
    pass


class Preload(NamedTuple):
    """Modules a zygote imports before it forks (those its Python has), and a folder on its
    path while it imports them (the SDK's)."""

    modules: tuple[str, ...] = ()
    path: str = ""
    # Fork kernels asked for while the modules are being imported (with those imported so
    # far), rather than after: for a command whose first step should not wait for them.
    fork_while_preloading: bool = False

    def arguments(self) -> list[str]:
        if not self.modules:
            return []
        return [
            "--preload",
            *self.modules,
            *(["--path", self.path] if self.path else []),
            *(["--fork-while-preloading"] if self.fork_while_preloading else []),
        ]


NO_PRELOAD = Preload()


def zygote_key(python: str, env: dict[str, str]) -> ZygoteKey:
    return (python, tuple(sorted(env.items())))


def spawn_zygote(
    python: str, env: dict[str, str], niceness: int, preload: Preload
) -> subprocess.Popen[bytes]:
    """The zygote process of `python` in `env`, started (its kernels inherit `niceness`)."""
    command = [
        python,
        ZYGOTE_SCRIPT,
        *preload.arguments(),
        f"--kernel-options={json.dumps(STEP_KERNEL_OPTIONS)}",
    ]
    try:
        return subprocess.Popen(
            lower_priority(command, niceness),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            start_new_session=True,  # Ctrl-C in a terminal must not reach it; we stop it
        )
    except OSError as err:
        raise ZygoteError(f"could not start {python}: {err}") from err


class EarlyZygote(NamedTuple):
    """A zygote a command started before it knew its configuration, with the settings it got."""

    key: ZygoteKey
    niceness: int
    preload: Preload
    process: subprocess.Popen[bytes]


# At most one waits at a time; the zygotes of a matching executor take it over.
_early: list[EarlyZygote] = []


def start_early_zygote(python: str, env: dict[str, str], niceness: int, preload: Preload) -> None:
    """Start a zygote now, without a loop, for an executor still to be made. Nothing is lost if
    none takes it: it is stopped with the executor's zygotes, or ends when this process does
    (its stdin closes)."""
    if not any(early.process.poll() is None for early in _early):
        _early.append(
            EarlyZygote(
                zygote_key(python, env),
                niceness,
                preload,
                spawn_zygote(python, env, niceness, preload),
            )
        )


def claim_early(
    python: str, env: dict[str, str], niceness: int, preload: Preload
) -> subprocess.Popen[bytes] | None:
    """The early zygote's process when it runs with these settings (it is then yours)."""
    for early in _early:
        if (
            early.key == zygote_key(python, env)
            and (early.niceness, early.preload) == (niceness, preload)
            and early.process.poll() is None
        ):
            _early.remove(early)
            return early.process
    return None


def unclaimed_early() -> list[EarlyZygote]:
    """The early zygotes nothing took over, handed to the caller to stop."""
    unclaimed = list(_early)
    _early.clear()
    return unclaimed
