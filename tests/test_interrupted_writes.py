"""Temporary files left beside notebooks by writes that a crash interrupted are removed at the
next start, and nothing else is."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from orchest_lab.executors.live_file import remove_interrupted_writes
from orchest_lab.fs import atomic_write_text
from orchest_lab.fs.atomic import TMP_SUFFIX


def leftover(notebook: Path) -> Path:
    """A temporary file named as fs/atomic.py names those of `notebook`, left as by a crash."""
    fd, name = tempfile.mkstemp(dir=notebook.parent, prefix=f".{notebook.name}.", suffix=TMP_SUFFIX)
    os.write(fd, b'{"cells": [')  # half a notebook
    os.close(fd)
    return Path(name)


def test_only_the_temporary_files_of_the_given_notebooks_are_removed(tmp_path: Path) -> None:
    notebook, other = tmp_path / "nb.ipynb", tmp_path / "other.ipynb"
    atomic_write_text(notebook, "{}")
    atomic_write_text(other, "{}")
    left = [leftover(notebook), leftover(notebook)]
    kept = [
        leftover(other),  # a notebook not in the list
        tmp_path / ".nb.ipynb.tmp~",  # no random part
        tmp_path / ".nb.ipynb.abcdefghi.tmp~",  # not the random part's length
        tmp_path / "nb.ipynb.abcdefgh.tmp~",  # not hidden
        tmp_path / ".nb.ipynb.ABCDEFGH.tmp~",  # not mkstemp's characters
    ]
    for path in kept[1:]:
        path.write_text("mine")
    target = tmp_path / "precious.txt"
    target.write_text("precious")
    link = tmp_path / ".nb.ipynb.linkxxxx.tmp~"
    link.symlink_to(target)
    folder = tmp_path / ".nb.ipynb.folderxx.tmp~"
    folder.mkdir()

    removed = remove_interrupted_writes([notebook, notebook, tmp_path / "gone" / "x.ipynb"])

    assert sorted(removed) == sorted(left)
    assert not any(p.exists() for p in left)
    assert all(p.exists() for p in [notebook, other, *kept, link, folder])
    assert target.read_text() == "precious"
