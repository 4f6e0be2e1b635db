from __future__ import annotations

from pathlib import Path

import pytest

from orchest_lab.fs import PathOutsideRoot, resolve_within


def test_paths_inside_the_root_resolve(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    assert resolve_within(tmp_path, "a/b.orchest") == tmp_path / "a" / "b.orchest"
    assert resolve_within(tmp_path, "a/../c.orchest") == tmp_path / "c.orchest"


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("../x.orchest", "leaves the root"),
        ("a/../../x.orchest", "leaves the root"),
        ("/etc/passwd", "absolute"),
        ("C:\\x.orchest", "absolute"),
        ("", "empty"),
        ("a\x00b", "NUL"),
    ],
)
def test_paths_leaving_the_root_are_refused(tmp_path: Path, path: str, reason: str) -> None:
    with pytest.raises(PathOutsideRoot, match=reason):
        resolve_within(tmp_path, path)


def test_symlinks_pointing_out_are_refused(tmp_path: Path) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (outside / "secret.orchest").write_text("{}")
    (root / "link.orchest").symlink_to(outside / "secret.orchest")
    (root / "folder").symlink_to(outside)
    (root / "inner.orchest").symlink_to(root / "real.orchest")
    for path in ("link.orchest", "folder/secret.orchest"):
        with pytest.raises(PathOutsideRoot, match="symlink"):
            resolve_within(root, path)
    assert resolve_within(root, "inner.orchest") == root / "inner.orchest"
