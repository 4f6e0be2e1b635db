"""A kernel "zygote": a Python process that has imported ipykernel once and forks fresh kernels.

Started by orchest-lab with the kernelspec's own Python and run by file path, so it needs nothing
but the standard library and ipykernel. Importing ipykernel and IPython is most of a kernel's
start-up cost (about 0.3 CPU-seconds here); a forked child skips it and is ready in a fraction
of that. Each child is a fresh kernel on which nothing has run.

It also builds the IPython shell of the kernels it forks (`--kernel-options JSON`: the options
they get), before any fork: that shell is half of what a forked kernel otherwise does to start. A
kernel takes it over only when it asks for a shell configured as that one was (no config file,
the same options), and builds its own otherwise. Building it runs no user code; its namespace is
empty. It loads IPython's default extension (storemagic) into that shell too, and its kernels
answer one more shell message, PREPARE_REQUEST, which sets a step's folder and variables without
running code (see `adapt_kernel`).

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
import copy
import gc
import importlib
import json
import os
import re
import select
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any

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
    from jupyter_client import localinterfaces

    localinterfaces.local_ips()  # lists the network interfaces (psutil), once, not per kernel


# What preloaded modules import on their first use (pyarrow: when it converts to pandas), so that
# a step's first use costs nothing either; imported when the module is preloaded.
ON_FIRST_USE = {"pyarrow": ("pyarrow.pandas_compat", "pyarrow.vendored.version")}


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


def prebuilt_shell(options: list[str]) -> PrebuiltShell | None:
    """The shell of the kernels to fork, or None: they build their own (this Python's IPython
    may differ from the one this was written for)."""
    try:
        return PrebuiltShell(options)
    except Exception:
        # A shell built before the failure would be the one kernels get, unadapted: none.
        with contextlib.suppress(Exception):
            from IPython.core.interactiveshell import InteractiveShell

            if InteractiveShell.initialized():
                type(InteractiveShell.instance()).clear_instance()
        return None


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


def serve(line: bytes, shell: PrebuiltShell | None) -> None:
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


class PrebuiltShell:
    """The ZMQInteractiveShell kernels forked with `options` will ask for, built in the zygote."""

    def __init__(self, options: list[str]) -> None:
        from ipykernel.ipkernel import IPythonKernel
        from IPython.core.profiledir import ProfileDir
        from IPython.paths import get_ipython_dir

        config = parsed_options(["-f", "", *options])
        if config is None:
            raise ValueError(f"options the zygote cannot read: {options}")
        del config["IPKernelApp"]  # the app's own settings; they do not reach the shell
        if config.get("HistoryManager", {}).get("enabled") != "False":
            # An enabled history starts a writer thread, and a zygote with threads cannot fork.
            raise ValueError("kernels keep a history")
        self.config = copy.deepcopy(config)  # the shell adds to the one it is given
        self.virtual_env = os.environ.get("VIRTUAL_ENV")  # it adds that venv to sys.path
        self.compiler_class = IPythonKernel.compiler_class.default_value
        self.ipython_dir = get_ipython_dir()
        self.profile_dir = ProfileDir.find_profile_dir_by_name(self.ipython_dir, "default")
        self.shell = IPythonKernel.shell_class.default_value.instance(
            config=config, profile_dir=self.profile_dir, compiler_class=self.compiler_class
        )
        # The regular expressions a first cell compiles (tokenize's and the input
        # transformers'), compiled here once: half of a kernel's first execution. Transforming
        # a line only rewrites its text: nothing runs.
        self.shell.transform_cell("x = 1\n")
        # The extension every kernel loads (IPython's default), loaded here: a kernel's loading
        # then finds it loaded. Only where loading it puts nothing in the namespace.
        if "autorestore" not in config.get("StoreMagics", {}):
            extensions = self.shell.extension_manager
            extensions.load_extension("storemagic")
            # Loaded as IPython.extensions.storemagic; a kernel asks for it by its short name,
            # which would otherwise be looked for along sys.path first, in vain.
            extensions.loaded.add("storemagic")

    def fits(self, cls: type, args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
        """Whether a kernel asking for `cls(*args, **kwargs)` would get a shell like this one."""
        user_ns = kwargs.get("user_ns")
        profile_dir = kwargs.get("profile_dir")
        parent = kwargs.get("parent")
        return (
            type(self.shell) is cls
            and not args
            and set(kwargs)
            <= {"parent", "profile_dir", "user_module", "user_ns", "kernel", "compiler_class"}
            and kwargs.get("user_module") is None
            and (user_ns is None or user_ns == {})
            and kwargs.get("compiler_class") is self.compiler_class
            and getattr(profile_dir, "location", None) == self.profile_dir.location
            and parent is not None
            and shell_config(parent.config) == self.config
            and os.environ.get("VIRTUAL_ENV") == self.virtual_env
        )

    def offer(self) -> None:
        """In a forked kernel: its first request for a shell gets this one when it fits, and
        its first search for the default profile's folder gets this shell's when it is the
        same (a ProfileDir checks its folders as it is built)."""
        from IPython.core.profiledir import ProfileDir

        finder = ProfileDir.__dict__.get("find_profile_dir_by_name")
        if isinstance(finder, classmethod):
            ProfileDir.find_profile_dir_by_name = self._finder(finder)  # type: ignore[method-assign]
        cls = type(self.shell)
        own = cls.__dict__.get("instance")
        build = cls.instance.__func__

        def instance(asked: type, *args: Any, **kwargs: Any) -> Any:
            if own is None:  # asked once: then as before
                del cls.instance
            else:
                cls.instance = own
            try:
                fits = self.fits(asked, args, kwargs)
            except Exception:
                fits = False
            if not fits:
                cls.clear_instance()
                return build(asked, *args, **kwargs)
            shell = self.shell
            shell.parent, shell.kernel = kwargs.get("parent"), kwargs.get("kernel")
            # What the shell took from the zygote's process: this one's cwd and environment.
            shell.starting_dir = os.getcwd()
            shell.history_manager.dir_hist[:] = [os.getcwd()]
            shell.init_environment()
            return shell

        cls.instance = classmethod(instance)

    def _finder(self, finder: Any) -> Any:
        """ProfileDir's search by name, answering its first call with this shell's folder when
        that is the one it would find."""
        from IPython.core.profiledir import ProfileDir

        def find(asked: type, ipython_dir: str, name: str = "default", config: Any = None) -> Any:
            # Asked once: then as before.
            ProfileDir.find_profile_dir_by_name = finder  # type: ignore[method-assign]
            location = self.profile_dir.location
            if (asked, ipython_dir, name) == (ProfileDir, self.ipython_dir, "default") and (
                os.path.isdir(location)
            ):
                return self.profile_dir
            return finder.__func__(asked, ipython_dir, name, config)

        return classmethod(find)


def shell_config(config: Any) -> Any:
    """`config` without the kernel app's own settings (its connection file, ...)."""
    from traitlets.config import Config

    kept = copy.deepcopy(config)
    app = kept.get("IPKernelApp")
    if app is not None:
        sections = {k: v for k, v in app.items() if isinstance(v, Config)}
        if sections:
            kept["IPKernelApp"] = Config(sections)
        else:
            del kept["IPKernelApp"]
    return kept


def run_kernel(request: dict[str, Any], shell: PrebuiltShell | None) -> None:
    """In the forked child: become an independent kernel process. Never returns."""
    try:
        os.setsid()  # its own process group, so a kill reaches whatever the kernel starts
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.environ.clear()
        os.environ.update(request["env"])
        parent = str(os.getppid())
        os.environ["JPY_PARENT_PID"] = parent
        os.chdir(request["cwd"])
        sys.argv = [request["argv0"], "-m", "ipykernel_launcher", "-f", request["connection_file"]]
        # ipykernel read JPY_PARENT_PID when the zygote imported it: say it again, so that the
        # kernel ends when the zygote does (and the zygote ends when its parent does).
        sys.argv += [*request.get("options", []), f"--IPKernelApp.parent_handle={parent}"]
        from ipykernel.kernelapp import IPKernelApp

        if shell is not None:
            shell.offer()
        adapt_kernel()
        parsed = parsed_options(sys.argv[3:])
        if parsed is not None:
            # What parsing the command line would give, without building its parser over every
            # configurable class (a sixth of a forked kernel's start).
            def parse_command_line(self: Any, argv: Any = None) -> None:
                self.argv, self.extra_args = list(sys.argv[3:]), []
                self.cli_config = copy.deepcopy(parsed)
                self.update_config(self.cli_config)

            IPKernelApp.parse_command_line = parse_command_line  # type: ignore[method-assign]
        IPKernelApp.launch_instance(argv=sys.argv[3:])
    finally:
        os._exit(0)


class _WithoutModules:
    """`sys` as ipykernel's kernel module sees it while a kernel is built: no modules listed."""

    modules: dict[str, Any] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(sys, name)


# A shell message forked kernels answer: the step's folder, variables and sys.path front, set
# without running code (an execute request costs a fresh kernel a quarter of its start).
#   content {"cwd": str, "env": {str: str}, "path": [str]}
#   reply   PREPARE_REPLY {"status": "ok"} or {"status": "error", "ename": str, "evalue": str}
PREPARE_REQUEST = "orchest_lab_prepare_request"
PREPARE_REPLY = "orchest_lab_prepare_reply"


def prepare(content: dict[str, Any]) -> dict[str, Any]:
    """What the execute request the message replaces did, in this process."""
    try:
        os.chdir(content["cwd"])
        os.environ.update(content["env"])
        sys.path[:0] = [p for p in content["path"] if p not in sys.path]
    except Exception as err:
        return {"status": "error", "ename": type(err).__name__, "evalue": str(err)}
    return {"status": "ok"}


def adapt_kernel() -> None:
    """Adapt the kernel a forked child builds: it answers PREPARE_REQUEST, and, having no
    debugger (see `preload`), it does not list the file of every module it has for one (a
    sixth of its start: each module's page is copied as its reference count changes)."""
    import ipykernel.ipkernel as ipkernel

    try:
        from ipykernel.debugger import _is_debugpy_available
    except ImportError:  # an ipykernel that says it otherwise: keep the listing
        _is_debugpy_available = True
    build = ipkernel.IPythonKernel.__init__

    def __init__(self: Any, **kwargs: Any) -> None:
        if not _is_debugpy_available:
            setattr(ipkernel, "sys", _WithoutModules())  # noqa: B010 (the module's global)
        try:
            build(self, **kwargs)
        finally:
            setattr(ipkernel, "sys", sys)  # noqa: B010

        async def prepare_request(stream: Any, ident: Any, parent: dict[str, Any]) -> None:
            reply = prepare(parent["content"])
            self.session.send(stream, PREPARE_REPLY, reply, parent, ident)

        self.shell_handlers[PREPARE_REQUEST] = prepare_request

    ipkernel.IPythonKernel.__init__ = __init__  # type: ignore[method-assign]


OPTION = re.compile(r"--([A-Za-z_]\w*)\.([A-Za-z_]\w*)=(.*)", re.DOTALL)


def parsed_options(argv: list[str]) -> Any:
    """`-f FILE --Class.name=value...` as the Config a command line parser makes of it (values
    as strings, read by each setting's type); None for anything else (aliases, flags)."""
    from traitlets.config import Config
    from traitlets.config.loader import DeferredConfigString

    if len(argv) < 2 or argv[0] != "-f":
        return None
    config = Config()
    config.IPKernelApp.connection_file = argv[1]
    for option in argv[2:]:
        match = OPTION.fullmatch(option)
        if match is None:
            return None
        config[match[1]][match[2]] = DeferredConfigString(match[3])
    return config


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--preload", nargs="*", default=[])
    parser.add_argument("--path", default="")
    parser.add_argument("--fork-while-preloading", action="store_true")
    parser.add_argument("--kernel-options", default="[]", help="JSON list")
    args = parser.parse_args()
    preload()
    shell = prebuilt_shell(json.loads(args.kernel_options))
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

        preloaded, skipped = preload_modules(args.preload, args.path, between)
        gc.collect()
        reply(preloaded=preloaded, skipped=skipped)
    else:
        preloaded, skipped = preload_modules(args.preload, args.path)
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
