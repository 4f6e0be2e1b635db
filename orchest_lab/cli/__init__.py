"""The `orchest-lab` command."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

# jsonschema (imported by nbformat) loads the optional checkers of string formats it finds
# installed: `rfc3987_syntax` compiles a grammar on import (1.3 s here, and 7 s when the allocator
# happens to mmap every block), the others cost about 60 ms in all. Nothing this command
# validates checks formats (nbformat does not; pipelines use fastjsonschema): leave them out.
for _checker in (
    "rfc3987_syntax",
    "rfc3986_validator",
    "rfc3339_validator",
    "webcolors",
    "uri_template",
    "isoduration",
    "fqdn",
):
    sys.modules.setdefault(_checker, None)  # type: ignore[arg-type]

from .. import __version__  # noqa: E402


def build_parser() -> argparse.ArgumentParser:
    # Imported here, not with this module: `run` first starts its kernels' zygote (see main).
    from . import convert, environments, jobs, pipelines, run

    parser = argparse.ArgumentParser(
        prog="orchest-lab",
        description="Validate, plan, draw, run and convert Orchest pipelines (*.orchest files).",
    )
    parser.add_argument("--version", action="version", version=f"orchest-lab {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    pipelines.register(commands)
    run.register(commands)
    environments.register(commands)
    jobs.register(commands)
    convert.register(commands)
    return parser


def command() -> NoReturn:
    """The `orchest-lab` program: `main`, then an exit without the interpreter's teardown,
    which only frees what the command imported (80 ms after a run). Everything the command
    wrote is closed by then; its output streams and logs are flushed here."""
    code = main()
    import logging  # imported by then: not before the early zygote (see main)

    logging.shutdown()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # its reader went away, a stream is closed: exit as Python does
        sys.exit(code)
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    from .early import start_kernels_early

    start_kernels_early(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
