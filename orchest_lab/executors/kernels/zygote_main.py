"""A kernel "zygote": a Python process that has imported ipykernel once and forks fresh kernels.

Started by orchest-lab with the kernelspec's own Python and run by file path, so it needs nothing
but the standard library and ipykernel. Importing ipykernel and IPython is most of a kernel's
start-up cost (about 0.3 CPU-seconds here); a forked child skips it and is ready in a fraction
of that. Each child is a fresh kernel on which nothing has run.

It also builds the IPython shell of the kernels it forks (`--kernel-options JSON`: the options
they get), before any fork, and its kernels differ from plain ones in a few ways that make them
start sooner: see forked_kernel.py, beside this file.

It also imports the modules of its command line (`--preload NAME... [--path FOLDER]`) that its
Python has, such as pandas, so that steps that use them pay nothing for their imports: a module
that cannot be imported is skipped and reported, never fatal. FOLDER (the SDK's) is on sys.path
only while they are imported. Nothing else runs before a fork: each child is a process in which no
step's code ran.

Protocol: a first line {"ready": true, "preloaded": [str], "skipped": {name: reason}} (or
{"error": str}); then one JSON request per line on stdin, one JSON reply per line on stdout.
With --fork-while-preloading, {"ready": true} comes before the modules are imported, requests are
served between two of them, and {"preloaded": [...], "skipped": {...}} follows the last one;
the line {"stop_preloading": true} (no reply) ends the imports there: no kernel will need them.
  request  {"connection_file": str, "env": {str: str}, "cwd": str, "argv0": str,
            "options": [str]}  (kernel options after the connection file)
  reply    {"pid": int}  or  {"error": str}
The zygote exits when stdin closes; kernels exit when the zygote does (JPY_PARENT_PID).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import json
import os
import select
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any

if __package__:
    from . import forked_kernel
else:  # run by path, as a zygote is: this folder is on sys.path
    import forked_kernel  # type: ignore[no-redef]

# What every kernel imports on start-up: done once here, before any fork.
PRELOAD = (
    "bdb",
    "faulthandler",
    "pdb",
    "sqlite3",
    "tornado.platform.asyncio",
    "IPython.core.interactiveshell",
    "IPython.core.completerlib",
    "IPython.core.debugger",
    "IPython.core.logger",
    "IPython.extensions.storemagic",
    "ipykernel.comm",
    "ipykernel.debugger",
    "ipykernel.heartbeat",
    "ipykernel.iostream",
    "ipykernel.ipkernel",
    "ipykernel.kernelapp",
    "ipykernel.zmqshell",
)


def preload() -> None:
    # Without debugpy, as where it is not installed: a step's kernel serves no debugger (the
    # engine drives it, no JupyterLab attaches to it), and debugpy is a quarter of the imports
    # (0.1 s of CPU) and more objects to copy in every kernel. A step can still import it.
    sys.modules["debugpy"] = None  # type: ignore[assignment]
    try:
        for name in PRELOAD:
            importlib.import_module(name)
    finally:
        del sys.modules["debugpy"]


def list_interfaces() -> None:
    """List the network interfaces (importing psutil) once, not in every kernel that uses TCP
    (10 to 30 ms here). Kernels on Unix sockets never need them."""
    from jupyter_client import localinterfaces

    localinterfaces.local_ips()


# What preloaded modules import on their first use (pyarrow: when it converts to pandas), so that
# a step's first use costs nothing either; imported when the module is preloaded.
ON_FIRST_USE = {"pyarrow": ("pyarrow.pandas_compat", "pyarrow.vendored.version")}


def warm_up(
    names: list[str], path: str, between: Callable[[], bool] = lambda: True
) -> tuple[list[str], dict[str, str]]:
    """What kernels would each do beyond ipykernel's imports, done once: the network interfaces
    listed, then the modules `names` imported (see preload_modules). `between` runs before
    each part, and says whether to go on: a zygote that forks while preloading serves its
    requests there, so that its first kernels, on Unix sockets, wait for none of it."""
    if not between():
        return [], {}
    list_interfaces()
    return preload_modules(names, path, between)


def preload_modules(
    names: list[str], path: str, between: Callable[[], bool] = lambda: True
) -> tuple[list[str], dict[str, str]]:
    """Import what steps will; those that fail are skipped, with the reason. `between` runs
    before each module, and says whether to go on (a zygote that forks while preloading serves
    its requests there)."""
    preloaded: list[str] = []
    skipped: dict[str, str] = {}
    for name in names:
        if not between():
            break
        if path:
            sys.path.insert(0, path)
        try:
            importlib.import_module(name)
        except BaseException as err:  # an ImportError, or a module that fails as it loads
            skipped[name] = f"{type(err).__name__}: {err}"
        else:
            preloaded.append(name)
            for companion in ON_FIRST_USE.get(name, ()):
                # Only a head start: a step imports it itself if it can.
                with contextlib.suppress(BaseException):
                    importlib.import_module(companion)
        finally:
            if path and path in sys.path:
                sys.path.remove(path)
    return preloaded, skipped


class Requests:
    """Request lines on stdin, read without Python's buffering so that `waiting` can tell
    whether one has arrived."""

    def __init__(self) -> None:
        self._buffer = b""

    def waiting(self) -> bool:
        return b"\n" in self._buffer or bool(select.select([0], [], [], 0)[0])

    def next(self) -> bytes | None:
        """The next line (blocking); None once stdin is closed."""
        while b"\n" not in self._buffer:
            chunk = os.read(0, 1 << 16)
            if not chunk:
                return None
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line


STOP_PRELOADING = b'{"stop_preloading": true}'


def serve(line: bytes, shell: forked_kernel.PrebuiltShell | None) -> None:
    """Fork a kernel for a request; the reply goes to stdout."""
    if threading.active_count() != 1:
        # Forking a process with threads can deadlock the child; refuse rather than hang.
        reply(error="the zygote has threads after its imports: preload fewer modules")
        return
    try:
        request = json.loads(line)
        gc.freeze()  # see main
        pid = os.fork()
    except Exception as err:
        reply(error=f"{type(err).__name__}: {err}")
        return
    if pid == 0:
        run_kernel(request, shell)
    reply(pid=pid)


def reply(**fields: Any) -> None:
    print(json.dumps(fields), flush=True)


def run_kernel(request: dict[str, Any], shell: forked_kernel.PrebuiltShell | None) -> None:
    """In the forked child: become an independent kernel process. Never returns."""
    try:
        os.setsid()  # its own process group, so a kill reaches whatever the kernel starts
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        become_environment(request["env"])
        parent = str(os.getppid())
        os.environ["JPY_PARENT_PID"] = parent
        os.chdir(request["cwd"])
        sys.argv = [request["argv0"], "-m", "ipykernel_launcher", "-f", request["connection_file"]]
        # ipykernel read JPY_PARENT_PID when the zygote imported it: say it again, so that the
        # kernel ends when the zygote does (and the zygote ends when its parent does).
        sys.argv += [*request.get("options", []), f"--IPKernelApp.parent_handle={parent}"]
        forked_kernel.launch(sys.argv[3:], shell)
    finally:
        os._exit(0)


def become_environment(env: dict[str, str]) -> None:
    """Make this process's environment `env`, changing only what differs: a kernel's is mostly
    the zygote's, and clearing and refilling it cost a kernel 1.4 ms (each change is a call to
    the C library and copies pages of the inherited environment)."""
    for name in [name for name in os.environ if name not in env]:
        del os.environ[name]
    for name, value in env.items():
        if os.environ.get(name) != value:
            os.environ[name] = value


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--preload", nargs="*", default=[])
    parser.add_argument("--path", default="")
    parser.add_argument("--fork-while-preloading", action="store_true")
    parser.add_argument("--kernel-options", default="[]", help="JSON list")
    args = parser.parse_args()
    preload()
    shell = forked_kernel.prebuilt_shell(json.loads(args.kernel_options))
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped automatically
    requests = Requests()
    # Imported objects stay out of the garbage collector's passes (gc.freeze before each fork),
    # so that these do not write to, and so copy, the pages kernels share with the zygote.
    if args.fork_while_preloading:
        # Ready at once; kernels asked for meanwhile start with the modules imported so far.
        reply(ready=True)

        def between() -> bool:
            """Serve the requests that came meanwhile; whether to import more."""
            go_on = True
            while requests.waiting():
                line = requests.next()
                if line is None:
                    sys.exit(0)
                if line.strip() == STOP_PRELOADING:
                    go_on = False
                else:
                    serve(line, shell)
            return go_on

        preloaded, skipped = warm_up(args.preload, args.path, between)
        gc.collect()
        reply(preloaded=preloaded, skipped=skipped)
    else:
        preloaded, skipped = warm_up(args.preload, args.path)
        if threading.active_count() != 1:
            # Forking a process with threads can deadlock the child; refuse rather than hang.
            error = "zygote has threads after its imports"
            if preloaded:
                error += f" (of ipykernel and {', '.join(preloaded)}: preload fewer modules)"
            reply(error=error)
            return 1
        gc.collect()
        reply(ready=True, preloaded=preloaded, skipped=skipped)
    while (line := requests.next()) is not None:
        if line.strip() != STOP_PRELOADING:
            serve(line, shell)
    return 0


if __name__ == "__main__":
    sys.exit(main())
