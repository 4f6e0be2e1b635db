"""A cell's consecutive stream outputs are merged as JupyterLab shows them, whatever the number
of pieces they arrive in, and what readers see (events, the file) is always the whole text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from api_client import start_run, wait_run
from nbformat import NotebookNode
from nbformat.v4 import new_output
from project_factory import read_outputs, write_pipeline

from orchest_lab.executors.streams import StreamMerger


def _stream(name: str, text: str) -> NotebookNode:
    return new_output("stream", name=name, text=text)


def test_pieces_of_one_stream_become_one_output_when_read() -> None:
    merger, outputs = StreamMerger(), []
    for piece in ("a", "b", "c"):
        outputs.append(_stream("stdout", piece))
        merger.merge(0, outputs)
    assert len(outputs) == 1
    assert merger.pending_size(0) == 2
    merger.join(0)
    assert outputs[0]["text"] == "abc"
    assert merger.pending_size(0) == 0
    outputs.append(_stream("stdout", "d"))
    merger.merge(0, outputs)
    merger.join_all()
    assert outputs == [_stream("stdout", "abcd")]


def test_another_stream_or_output_in_between_starts_a_new_output() -> None:
    merger, outputs = StreamMerger(), []
    for output in (
        _stream("stdout", "1"),
        _stream("stdout", "2"),
        _stream("stderr", "x"),
        _stream("stdout", "3"),
        new_output("display_data", data={"text/plain": "d"}),
        _stream("stdout", "4"),
        _stream("stdout", "5"),
    ):
        outputs.append(output)
        merger.merge(0, outputs)
    merger.join_all()
    assert [(o["output_type"], o.get("text")) for o in outputs] == [
        ("stream", "12"),
        ("stream", "x"),
        ("stream", "3"),
        ("display_data", None),
        ("stream", "45"),
    ]


def test_cleared_outputs_never_receive_the_pieces_of_old_ones() -> None:
    merger, outputs = StreamMerger(), []
    for piece in ("old", "er"):
        outputs.append(_stream("stdout", piece))
        merger.merge(0, outputs)
    outputs[:] = []  # clear_output, as nbclient does it
    merger.forget(0)
    for piece in ("new", "!"):
        outputs.append(_stream("stdout", piece))
        merger.merge(0, outputs)
    merger.join(0)
    assert outputs == [_stream("stdout", "new!")]


async def test_a_cell_printing_thousands_of_pieces_has_one_output_per_stream_in_the_file(
    jp_fetch: Any, jp_root_dir: Path
) -> None:
    code = (
        "import sys\n"
        "for i in range(3000):\n"
        "    print(i, flush=True)\n"
        "print('err', file=sys.stderr, flush=True)\n"
        "for i in range(3000, 4000):\n"
        "    print(i, flush=True)"
    )
    write_pipeline(jp_root_dir, {"Loud": ("loud.ipynb", [])}, {"loud.ipynb": [code]})
    run = await wait_run(
        jp_fetch, (await start_run(jp_fetch, {"pipeline_path": "p.orchest"}))["id"]
    )
    assert run["status"] == "SUCCESS"
    [(count, outputs)] = read_outputs(jp_root_dir / "loud.ipynb")
    assert count == 1
    assert [(o["name"], o["text"]) for o in outputs] == [
        ("stdout", "".join(f"{i}\n" for i in range(3000))),
        ("stderr", "err\n"),
        ("stdout", "".join(f"{i}\n" for i in range(3000, 4000))),
    ]
