"""`python -m orchest_lab.runner [--kernel NAME] FILE`: run one step in this container."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from .report import Reporter

SDK = Path(__file__).resolve().parents[1] / "sdk"  # holds the `orchest` package


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchest_lab.runner")
    parser.add_argument("file", help="the notebook or script to run")
    parser.add_argument("--kernel", default="python3", help="kernelspec of notebooks")
    args = parser.parse_args(argv)
    # The step and its kernel import the SDK (`import orchest`) from this copy of the package.
    paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    os.environ["PYTHONPATH"] = os.pathsep.join([str(SDK), *(p for p in paths if p != str(SDK))])
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    reporter = Reporter(sys.stdout)
    if args.file.endswith(".ipynb"):
        from .notebook import run_notebook

        return run_notebook(Path(args.file), args.kernel, reporter)
    from .script import run_script

    return run_script(Path(args.file), reporter)


if __name__ == "__main__":
    sys.exit(main())
