"""A running cell's events carry what is new since the one before (the text its stream grew by,
the outputs after it) rather than its whole outputs each time; applied in order, they show
exactly what the notebook holds, and whole outputs come when the outputs changed otherwise,
now and then, and when the cell is done."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from api_client import start_run, wait_run
from kube_fixtures import events_until_end
from nbformat import NotebookNode
from nbformat.v4 import new_code_cell, new_output
from project_factory import read_outputs, write_pipeline

from orchest_lab.events import CELL
from orchest_lab.executors import cell_updates
from orchest_lab.executors.cell_updates import CellUpdates
from orchest_lab.executors.streams import StreamMerger


def apply(shown: list[dict[str, Any]], event: dict[str, Any]) -> list[dict[str, Any]]:
    """What a listener shows after `event`, as the notebook in JupyterLab applies it."""
    append = event.get("append")
    if append is None:
        return copy.deepcopy(event["outputs"])
    grown = dict(shown[append["output"]], text=shown[append["output"]]["text"] + append["text"])
    return [*shown[: append["output"]], grown, *copy.deepcopy(event["outputs"])]


def text_carried(events: list[dict[str, Any]]) -> int:
    """The characters of printed text the events carry."""
    return sum(
        len((event.get("append") or {}).get("text", ""))
        + sum(len(output.get("text", "")) for output in event["outputs"])
        for event in events
    )


class Cell:
    """A cell receiving outputs as nbclient gives them, and the events its updates make."""

    def __init__(self) -> None:
        self.node = new_code_cell("")
        self.streams = StreamMerger()
        self.updates = CellUpdates(self.streams)
        self.events: list[dict[str, Any]] = []

    def stream(self, name: str, text: str) -> None:
        self.node.outputs.append(new_output("stream", name=name, text=text))
        self.streams.merge(0, self.node.outputs)

    def publish(self, state: str = "running") -> dict[str, Any]:
        self.events.append(self.updates.next(0, self.node, state).to_json())
        return self.events[-1]

    def replayed(self) -> list[dict[str, Any]]:
        shown: list[dict[str, Any]] = []
        for event in self.events:
            shown = apply(shown, event)
        return shown

    def whole(self) -> list[NotebookNode]:
        self.streams.join_all()
        return list(self.node.outputs)


def test_a_printing_cell_sends_only_what_is_new_and_replays_to_what_it_holds() -> None:
    cell = Cell()
    cell.publish()  # started, nothing yet
    for i in range(50):
        cell.stream("stdout", f"line {i}\n")
        if i % 7 == 0:
            cell.stream("stderr", f"warning {i}\n")
        if i % 3 == 0:
            cell.publish()
    cell.publish()
    assert cell.replayed() == cell.whole()
    appended = [event for event in cell.events if "append" in event]
    assert len(appended) >= 15
    assert [event["seq"] for event in cell.events] == list(range(1, len(cell.events) + 1))
    # What the events carried is about what the cell printed, not its text again and again.
    printed = sum(len(output["text"]) for output in cell.whole())
    assert text_carried(appended) < 2 * printed
    done = cell.publish("done")
    assert "append" not in done and done["outputs"] == cell.whole()


def test_cleared_or_updated_outputs_are_sent_whole() -> None:
    cell = Cell()
    cell.stream("stdout", "old\n")
    cell.publish()
    cell.node.outputs[:] = []  # clear_output, as nbclient does it
    cell.stream("stdout", "new\n")
    cell.stream("stdout", "er\n")
    event = cell.publish()
    assert "append" not in event and event["outputs"] == [
        new_output("stream", name="stdout", text="new\ner\n")
    ]
    cell.node.outputs.append(new_output("display_data", data={"text/plain": "1"}))
    assert "append" in cell.publish()
    cell.node.outputs[-1]["data"] = {"text/plain": "2"}  # update_display_data, in place
    cell.updates.reshaped(0)
    event = cell.publish()
    assert "append" not in event and event["outputs"][-1]["data"] == {"text/plain": "2"}
    assert cell.replayed() == cell.whole()


def test_whole_outputs_go_out_now_and_then_for_a_notebook_opened_late(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = [1000.0]
    monkeypatch.setattr(cell_updates.time, "monotonic", lambda: clock[0])
    cell = Cell()
    cell.stream("stdout", "a")
    assert "append" not in cell.publish()
    cell.stream("stdout", "b")
    clock[0] += cell_updates.WHOLE_MIN_INTERVAL / 2
    assert "append" in cell.publish()
    cell.stream("stdout", "c")
    clock[0] += cell_updates.WHOLE_MIN_INTERVAL
    event = cell.publish()
    assert "append" not in event and event["outputs"][0]["text"] == "abc"


def test_an_event_keeps_what_it_showed_when_the_outputs_change_after_it() -> None:
    cell = Cell()
    cell.stream("stdout", "a")
    first = cell.publish()
    cell.stream("stdout", "b")
    second = cell.publish()
    cell.stream("stdout", "c")
    cell.stream("stderr", "x")
    cell.whole()  # the file is written: everything waiting is joined
    assert first["outputs"] == [new_output("stream", name="stdout", text="a")]
    assert second["append"] == {"output": 0, "text": "b"}
    third = cell.publish()
    assert third["append"] == {"output": 0, "text": "c"}
    assert third["outputs"] == [new_output("stream", name="stderr", text="x")]


async def test_a_notebook_replayed_from_its_events_is_the_notebook_written(
    jp_fetch: Any, jp_ws_fetch: Any, jp_root_dir: Path
) -> None:
    code = (
        "import sys, time\n"
        "for i in range(4000):\n"
        "    print('line', i, flush=True)\n"
        "    if i % 500 == 0:\n"
        "        print('at', i, file=sys.stderr, flush=True)\n"
        "        time.sleep(0.05)\n"
    )
    write_pipeline(jp_root_dir, {"Loud": ("loud.ipynb", [])}, {"loud.ipynb": [code]})
    socket = await jp_ws_fetch("api", "events", "subscribe")
    run = await start_run(jp_fetch, {"pipeline_path": "p.orchest"})
    events = await events_until_end(socket, run["id"])
    socket.close()
    assert (await wait_run(jp_fetch, run["id"]))["status"] == "SUCCESS"

    cell_events = [event for event in events if event["schema_id"] == CELL]
    running = [event for event in cell_events if event["state"] == "running"]
    shown: list[dict[str, Any]] = []
    for event in running:
        shown = apply(shown, event)
    [(_, written)] = read_outputs(jp_root_dir / "loud.ipynb")
    assert shown == written  # every line, in order, each stream where it belongs
    assert cell_events[-1]["state"] == "done" and cell_events[-1]["outputs"] == written
    assert len([event for event in running if "append" in event]) >= 2
    printed = sum(len(output["text"]) for output in written)
    assert text_carried(running) < 3 * printed
