"""Where kernels forked from a zygote put their Unix domain sockets (ipykernel's "ipc" transport):
a folder of the process's own, which only its user can enter, made at first use and removed when
the process's zygotes close. A process that crashed leaves its folder behind; the next one of the
same user removes it (the folder's name carries the pid of the process that made it).

Unix sockets cost less than TCP on loopback at both ends of every message, need no ports found,
and no other user can connect to them.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import stat
import tempfile
import threading
import uuid
from typing import TYPE_CHECKING

from ...runner.unix_sockets import socket_path_fits
from ..orphans import process_info

if TYPE_CHECKING:
    from jupyter_client.manager import AsyncKernelManager

log = logging.getLogger(__name__)

PREFIX = "orchest-lab-kernels-"


class SocketFolder:
    def __init__(self) -> None:
        self._path: str | None = None
        self._lock = threading.Lock()  # asked from threads (see launch.start_kernel)

    def path(self) -> str:
        """The folder, made now if need be. Blocking; raises OSError."""
        with self._lock:
            if self._path is None:
                root = tempfile.gettempdir()
                remove_left_behind(root)
                self._path = tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=root)
            return self._path

    def remove(self) -> None:
        """Remove the folder and the sockets left in it (of kernels killed with their zygote).
        Blocking."""
        with self._lock:
            path, self._path = self._path, None
        if path is not None:
            shutil.rmtree(path, ignore_errors=True)


def remove_left_behind(root: str) -> None:
    """Remove the socket folders in `root` of this user's processes that are gone."""
    with contextlib.suppress(OSError), os.scandir(root) as entries:
        for entry in entries:
            pid = _maker_pid(entry.name)
            if pid is None or process_info(pid) is not None:  # not ours, or running
                continue
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            # Only a folder, not a link to one, and only this user's (/tmp is everyone's).
            if stat.S_ISDIR(info.st_mode) and info.st_uid == os.geteuid():
                log.debug("removing the kernel sockets left by process %d", pid)
                shutil.rmtree(entry.path, ignore_errors=True)


def _maker_pid(name: str) -> int | None:
    """The pid in a socket folder's name, None for any other name."""
    if not name.startswith(PREFIX):
        return None
    pid, _, rest = name[len(PREFIX) :].partition("-")
    return int(pid) if pid.isdigit() and rest else None


def use_unix_sockets(manager: AsyncKernelManager, folder: str) -> None:
    """The kernel's channels over Unix domain sockets in `folder`; left on TCP where the path
    would be too long for a socket. jupyter_client removes the socket files when the kernel is
    shut down."""
    path = os.path.join(folder, uuid.uuid4().hex)
    if socket_path_fits(path):
        manager.transport, manager.ip = "ipc", path
