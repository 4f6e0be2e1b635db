"""How kernels forked by a zygote (zygote_main.py) differ from plain ipykernels: the parts of
their start that the zygote does once for all of them, and what they do without for a step.

- The zygote builds the IPython shell they will ask for, before any fork: that shell is half of
  what a forked kernel otherwise does to start. A kernel takes it over only when it asks for a
  shell configured as that one was (no config file, the same options), and builds its own
  otherwise. Building it runs no user code; its namespace is empty. IPython's default extension
  (storemagic) is loaded into it, and the default profile's folder it found is the one kernels
  take when they would find the same.
- A kernel's command line is read without building a parser over every configurable class.
- A kernel's first execute request can carry its step's folder and variables (PREPARE_KEY),
  which it sets without running code; having no debugger, it does not list every module's file
  for one; and it runs no heartbeat, which no client of a step's kernel listens to.

Run in the zygote's Python (an environment's, too), so it needs nothing but the standard library
until it is used, and IPython and ipykernel then.
"""

from __future__ import annotations

import contextlib
import copy
import inspect
import os
import re
import sys
from collections.abc import Iterator
from typing import Any


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


def launch(argv: list[str], shell: PrebuiltShell | None) -> None:
    """In a forked child set up as a kernel process: build and run the kernel of `argv` (its
    options after `-m ipykernel_launcher`)."""
    from ipykernel.kernelapp import IPKernelApp

    if shell is not None:
        shell.offer()
    adapt_kernel()
    # A step's kernel has one client, the engine, which knows it alive from its process and
    # connects no heartbeat: no heartbeat thread and its own zmq context (about 3.5 ms of CPU a
    # start).
    IPKernelApp.init_heartbeat = _no_heartbeat  # type: ignore[method-assign]
    options, parsed = list(argv), parsed_options(argv)
    if parsed is not None:
        # What parsing the command line would give, without building its parser over every
        # configurable class (a sixth of a forked kernel's start).
        def parse_command_line(self: Any, argv: Any = None) -> None:
            self.argv, self.extra_args = list(options), []
            self.cli_config = copy.deepcopy(parsed)
            self.update_config(self.cli_config)

        IPKernelApp.parse_command_line = parse_command_line  # type: ignore[method-assign]
    initialize = IPKernelApp.initialize

    def initialize_flushing_only_output(self: Any, argv: Any = None) -> None:
        with _flushes_of_nothing_skipped():
            initialize(self, argv)

    IPKernelApp.initialize = initialize_flushing_only_output  # type: ignore[method-assign]
    IPKernelApp.launch_instance(argv=argv)


@contextlib.contextmanager
def _flushes_of_nothing_skipped() -> Iterator[None]:
    """While a kernel is built, flushing its stdout or stderr when nothing was written to them
    returns at once. A kernel flushes both twice as it starts; each flush is a round trip to
    its iopub thread, and the four cost 1.7 ms of its CPU. A startup file's output is flushed as
    before."""
    from ipykernel.iostream import OutStream

    flush = OutStream.flush

    def flush_if_written(self: Any) -> None:
        # Attributes of ipykernel's streams; one that has none of them is flushed.
        written = getattr(self, "_buffers", True) or getattr(self, "_flush_pending", True)
        if written or getattr(self, "echo", None) is not None:
            flush(self)

    OutStream.flush = flush_if_written  # type: ignore[method-assign]
    try:
        yield
    finally:
        OutStream.flush = flush  # type: ignore[method-assign]


def _no_heartbeat(self: Any) -> None:
    """IPKernelApp.init_heartbeat of a forked kernel (its hb_port stays unbound)."""


class _WithoutModules:
    """`sys` as ipykernel's kernel module sees it while a kernel is built: no modules listed."""

    modules: dict[str, Any] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(sys, name)


# What a forked kernel is told with the first execute request of its step, in the request's
# metadata: the step's folder, variables and sys.path front, set before the cell runs, without
# running code and without a round trip of its own (as an execute request of their own they cost
# a fresh kernel 8 to 12 ms of CPU, as a shell message 3.5 to 5).
#   metadata[PREPARE_KEY] {"cwd": str, "env": {str: str}, "path": [str]}
# When they cannot be set, the request's reply is an error named SETUP_ERROR and the cell does
# not run.
PREPARE_KEY = "orchest_lab_prepare"
SETUP_ERROR = "KernelSetupError"


def prepare(content: dict[str, Any]) -> str | None:
    """Set what `content` says in this process; None, or why it could not."""
    try:
        os.chdir(content["cwd"])
        os.environ.update(content["env"])
        sys.path[:0] = [p for p in content["path"] if p not in sys.path]
    except Exception as err:
        return f"{type(err).__name__}: {err}"
    return None


def adapt_kernel() -> None:
    """Adapt the kernel a forked child builds: it is prepared for its step by its first execute
    request (PREPARE_KEY), and, having no debugger (see zygote_main.preload), it does not list
    the file of every module it has for one (about 5 ms of its start: each module's page is
    copied as its reference count changes)."""
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
        execute = self.shell_handlers["execute_request"]

        async def execute_request(stream: Any, ident: Any, parent: dict[str, Any]) -> None:
            metadata = parent.get("metadata")
            content = metadata.pop(PREPARE_KEY, None) if isinstance(metadata, dict) else None
            if content is not None and (why := prepare(content)) is not None:
                failed: dict[str, Any] = {
                    "status": "error",
                    "ename": SETUP_ERROR,
                    "evalue": f"could not prepare the kernel ({why})",
                    "traceback": [],
                    "execution_count": None,
                }
                self.session.send(stream, "execute_reply", failed, parent, ident)
                return
            result = execute(stream, ident, parent)
            if inspect.isawaitable(result):
                await result

        self.shell_handlers["execute_request"] = execute_request

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
