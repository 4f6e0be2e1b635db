"""`orchest-lab convert`: Elyra `.pipeline` <-> orchest-lab `.orchest`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..fs import is_within
from .common import EXIT_OK, EXIT_USAGE


def register(commands: Any) -> None:
    convert = commands.add_parser(
        "convert",
        help="convert an Elyra pipeline (*.pipeline) to an orchest-lab one (*.orchest) or back",
        description="Convert between Elyra's pipeline-flow v3 files (*.pipeline) and orchest-lab "
        "pipelines (*.orchest); the direction comes from the extension. What the other format "
        "cannot hold is listed on stderr. Bad input writes nothing and exits with status 2.",
    )
    convert.add_argument("path", help="the pipeline to convert (*.pipeline or *.orchest)")
    convert.add_argument(
        "-o", "--output", help="the file to write (default: beside it, with the other extension)"
    )
    convert.add_argument("--force", action="store_true", help="replace the output if it exists")
    convert.set_defaults(handler=run_convert)


def run_convert(args: argparse.Namespace) -> int:
    from ..interchange import ConversionError, convert_file

    source = Path(args.path).absolute()
    output = Path(args.output).absolute() if args.output else None
    cwd = Path.cwd()
    # Step files may be anywhere under the working folder (a project above the pipeline), or
    # beside the pipeline when it is elsewhere.
    boundary = cwd if is_within(source, cwd) else None
    try:
        conversion = convert_file(source, output, force=args.force, boundary=boundary)
    except ConversionError as err:
        print(f"orchest-lab: error: {err.located(args.path)}", file=sys.stderr)
        return EXIT_USAGE
    if conversion.unmapped:
        count = len(conversion.unmapped)
        print(f"{count} item{'s' if count != 1 else ''} did not map:", file=sys.stderr)
        for item in conversion.unmapped:
            print(f"  {item.format_line()}", file=sys.stderr)
    print(f"wrote {_shown(conversion.output, cwd)}")
    return EXIT_OK


def _shown(path: Path, cwd: Path) -> str:
    return path.relative_to(cwd).as_posix() if is_within(path, cwd) else str(path)
