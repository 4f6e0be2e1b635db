"""Running a script in the pod, its stdout and stderr reported as they come."""

from __future__ import annotations

import codecs
import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

from .protocol import INTERPRETERS
from .report import Reporter

STOP_GRACE = 3.0  # seconds the script has to end after SIGTERM before it is killed


def run_script(path: Path, reporter: Reporter) -> int:
    suffix = path.suffix.lower()
    if suffix == ".py":
        command = [sys.executable, "-u", str(path)]
    else:
        program = INTERPRETERS.get(suffix)
        if program is None or shutil.which(program) is None:
            what = program or f"a program for {suffix} files"
            message = f"{what} is not installed in the image, so {path.name} cannot run"
            reporter.end("failed", name="InterpreterNotFound", message=message)
            return 1
        command = [program, str(path)]
    reporter.start("script")
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own group: a stop reaches its children too
    )

    def stop(signum: int, frame: object) -> None:
        threading.Thread(target=_stop, args=(process,), daemon=True).start()

    signal.signal(signal.SIGTERM, stop)  # PID 1 of the container: no default handler
    assert process.stdout is not None and process.stderr is not None
    pumps = [
        threading.Thread(target=_pump, args=(stream, name, reporter))
        for stream, name in ((process.stdout, "stdout"), (process.stderr, "stderr"))
    ]
    for pump in pumps:
        pump.start()
    for pump in pumps:
        pump.join()
    status = process.wait()
    reporter.end("exited", code=status)
    return status if status >= 0 else 128 - status


def _pump(stream: IO[bytes], name: str, reporter: Reporter) -> None:
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    while chunk := os.read(stream.fileno(), 65536):
        text = decoder.decode(chunk)
        if text:
            reporter.report("stream", name=name, text=text)
    rest = decoder.decode(b"", final=True)
    if rest:
        reporter.report("stream", name=name, text=rest)


def _stop(process: subprocess.Popen[bytes]) -> None:
    for signum in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, signum)
        except ProcessLookupError:
            return
        try:
            process.wait(STOP_GRACE)
            return
        except subprocess.TimeoutExpired:
            continue
