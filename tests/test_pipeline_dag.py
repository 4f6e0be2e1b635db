from __future__ import annotations

import pytest
from pipeline_factory import make_pipeline

from orchest_lab.pipeline import CycleError, Dag, PlanError, make_plan

# Load -> Clean -> Train -> Report ; Load -> Features -> Train ; Docs (independent)
STEPS = {
    "Load": ("load.ipynb", []),
    "Clean": ("clean.py", ["Load"]),
    "Features": ("features.ipynb", ["Load"]),
    "Train": ("train.ipynb", ["Clean", "Features"]),
    "Report": ("report.sh", ["Train"]),
    "Docs": ("docs.py", []),
}


def titles(plan_steps: object) -> list[str]:
    return [s.title for s in plan_steps]  # type: ignore[attr-defined]


def test_topological_order_respects_edges_and_file_order() -> None:
    document, _ = make_pipeline(STEPS)
    order = Dag.from_steps(document.steps).topological_order()
    names = {u: s["title"] for u, s in document.steps.items()}
    assert [names[u] for u in order] == ["Load", "Clean", "Features", "Train", "Report", "Docs"]


@pytest.mark.parametrize(
    ("mode", "selected", "expected"),
    [
        ("full", [], ["Load", "Clean", "Features", "Train", "Report", "Docs"]),
        ("selection", ["Train", "Load"], ["Load", "Train"]),
        ("incoming", ["Train"], ["Load", "Clean", "Features", "Train"]),
        ("downstream", ["Clean"], ["Clean", "Train", "Report"]),
        ("downstream", ["Docs"], ["Docs"]),
    ],
)
def test_run_modes_choose_the_right_steps(
    mode: str, selected: list[str], expected: list[str]
) -> None:
    document, _ = make_pipeline(STEPS)
    assert titles(make_plan(document, mode, selected).steps) == expected


def test_plan_reasons_waits_and_levels() -> None:
    document, uuids = make_pipeline(STEPS)
    plan = make_plan(document, "incoming", ["Train"])
    by_title = {s.title: s for s in plan.steps}
    assert by_title["Train"].reason == "selected"
    assert by_title["Load"].reason == "ancestor of 'Train'"
    assert by_title["Train"].waits_for == (uuids["Clean"], uuids["Features"])
    assert [by_title[t].level for t in ("Load", "Clean", "Features", "Train")] == [0, 1, 1, 2]

    selection = make_plan(document, "selection", ["Train", "Report"])
    # In a selection run, parents outside the selection are not waited for.
    assert [(s.title, s.waits_for, s.level) for s in selection.steps] == [
        ("Train", (), 0),
        ("Report", (uuids["Train"],), 1),
    ]


def test_steps_can_be_named_by_uuid_or_title() -> None:
    document, uuids = make_pipeline(STEPS)
    plan = make_plan(document, "selection", [uuids["Clean"], "Report"])
    assert plan.selected == (uuids["Clean"], uuids["Report"])


@pytest.mark.parametrize(
    ("mode", "steps", "message"),
    [
        ("sideways", ["Load"], "mode must be one of full, selection, incoming, downstream"),
        ("selection", [], "needs at least one selected step"),
        ("incoming", ["Nope"], "no step has the uuid or title 'Nope'"),
        ("selection", [3], "must be given as uuids or titles"),
    ],
)
def test_bad_plan_requests_say_what_is_wrong(mode: str, steps: list[object], message: str) -> None:
    document, _ = make_pipeline(STEPS)
    with pytest.raises(PlanError, match=message):
        make_plan(document, mode, steps)


def test_ambiguous_titles_must_be_named_by_uuid() -> None:
    document, uuids = make_pipeline({"A": ("a.py", []), "B": ("b.py", [])})
    document.data["steps"][uuids["B"]]["title"] = "A"
    with pytest.raises(PlanError, match="several steps are titled 'A'"):
        make_plan(document, "selection", ["A"])


def test_the_same_file_can_back_two_steps() -> None:
    document, _ = make_pipeline({"Salt water": ("salt.py", []), "Salt tomatoes": ("salt.py", [])})
    assert titles(make_plan(document, "full").steps) == ["Salt water", "Salt tomatoes"]


def test_planning_a_cyclic_pipeline_raises_with_the_cycle() -> None:
    document, uuids = make_pipeline({"A": ("a.py", ["B"]), "B": ("b.py", ["A"])})
    with pytest.raises(CycleError) as caught:
        make_plan(document, "full")
    assert caught.value.cycle == [uuids["A"], uuids["B"], uuids["A"]]


def test_long_chains_do_not_hit_recursion_limits() -> None:
    steps = {f"s{i}": (f"s{i}.py", [f"s{i - 1}"] if i else []) for i in range(5000)}
    document, uuids = make_pipeline(steps)
    document.data["steps"][uuids["s0"]]["incoming_connections"] = [uuids["s4999"]]
    dag = Dag.from_steps(document.steps)
    assert len(dag.cycles()[0]) == 5001
