"""The `orchest-lab` command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

# jsonschema (imported by nbformat) loads the optional `rfc3987_syntax`, which compiles a grammar
# on import: 1.3 s here, and 7 s when the allocator happens to mmap every block. It only checks
# the "iri" format, which nothing this command validates uses: leave it out of this process.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

from .. import __version__  # noqa: E402
from . import convert, environments, jobs, pipelines, run  # noqa: E402


def build_parser() -> argparse.ArgumentParser:
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


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
