"""POST pipelines/import-elyra and pipelines/export-elyra on a real server: a new file beside the
original (never changing it), what did not map, and 4xx answers that name the field or the
place in the file, with nothing written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from api_client import call, payload
from conftest import tree_snapshot
from elyra_examples import elyra_node, elyra_pipeline, producer_consumer, write_elyra
from elyra_schema import pipeline_flow_validator


async def test_import_writes_a_new_orchest_file_beside_it(jp_fetch: Any, jp_root_dir: Path) -> None:
    folder = jp_root_dir / "work"
    folder.mkdir()
    source = producer_consumer(folder)
    original = source.read_bytes()
    first = await call(
        jp_fetch, "POST", "pipelines/import-elyra", {"path": "work/producer-consumer.pipeline"}
    )
    assert first.code == 201, payload(first)
    answer = payload(first)
    assert answer["path"] == "work/producer-consumer.orchest"
    unmapped = {(u["node"], u["what"]): u for u in answer["unmapped"]}
    pointer = "/pipelines/0/nodes/1/app_data/component_parameters/dependencies"
    assert unmapped[("Producer", "dependencies")]["pointer"] == pointer
    assert ("Download data", "custom component") in unmapped
    validated = payload(
        await call(jp_fetch, "POST", "pipelines/validate", {"path": answer["path"]})
    )
    assert validated["valid"], validated

    # Taken: the next free name; neither the original nor the first import changes.
    imported = (folder / "producer-consumer.orchest").read_bytes()
    second = await call(
        jp_fetch, "POST", "pipelines/import-elyra", {"path": "work/producer-consumer.pipeline"}
    )
    assert second.code == 201, payload(second)
    assert payload(second)["path"] == "work/producer-consumer-1.orchest"
    assert (folder / "producer-consumer.orchest").read_bytes() == imported
    assert source.read_bytes() == original


async def test_export_writes_a_pipeline_elyra_accepts(jp_fetch: Any, served_project: Path) -> None:
    answer = await call(
        jp_fetch, "POST", "pipelines/export-elyra", {"path": "quickstart/quickstart.orchest"}
    )
    assert answer.code == 201, payload(answer)
    exported = payload(answer)
    assert exported["path"] == "quickstart/quickstart.pipeline"
    document = json.loads((served_project / "quickstart.pipeline").read_text())
    pipeline_flow_validator()(document)
    assert any(u["what"] == "step" and u["node"] == "Report" for u in exported["unmapped"])  # .sh
    # "Python 3" is the runtime image, reported once: not a name Kubeflow could pull.
    named = [u for u in exported["unmapped"] if u["what"] == "environment 'Python 3'"]
    assert len(named) == 1 and "container image name" in named[0]["message"]
    images = {
        n["app_data"]["component_parameters"]["runtime_image"]
        for n in document["pipelines"][0]["nodes"]
    }
    assert images == {"Python 3"}


@pytest.mark.parametrize(
    ("body", "code", "pointer", "words"),
    [
        ({}, 400, "/path", "give 'path'"),
        ({"path": 3}, 400, "/path", "must be a string"),
        ({"path": "x.pipeline", "force": True}, 400, "/force", "unknown field"),
        ({"path": "../outside.pipeline"}, 400, "/path", "leaves the root"),
        ({"path": "notes.txt"}, 400, "/path", "is not an Elyra pipeline"),
        ({"path": "missing.pipeline"}, 404, None, "does not exist"),
    ],
)
async def test_bad_requests_name_the_field(
    jp_fetch: Any,
    jp_root_dir: Path,
    body: dict[str, Any],
    code: int,
    pointer: str | None,
    words: str,
) -> None:
    (jp_root_dir / "notes.txt").write_text("")
    before = tree_snapshot(jp_root_dir)
    response = await call(jp_fetch, "POST", "pipelines/import-elyra", body)
    assert response.code == code
    answer = payload(response)
    assert words in answer["message"]
    if pointer is not None:
        assert answer["issues"][0]["pointer"] == pointer
    assert tree_snapshot(jp_root_dir) == before


async def test_a_file_that_cannot_be_converted_is_located(jp_fetch: Any, jp_root_dir: Path) -> None:
    (jp_root_dir / "bad.pipeline").write_text('{"version": "3.0",\n "pipelines": [}\n')
    (jp_root_dir / "a.py").write_text("")
    loop = [elyra_node("n1", "a.py", parents=("n2",)), elyra_node("n2", "a.py", parents=("n1",))]
    write_elyra(jp_root_dir / "loop.pipeline", elyra_pipeline(loop))
    write_elyra(jp_root_dir / "lost.pipeline", elyra_pipeline([elyra_node("n1", "gone.ipynb")]))
    outside = jp_root_dir.parent / "secret.py"
    outside.write_text("")
    (jp_root_dir / "link.py").symlink_to(outside)
    write_elyra(jp_root_dir / "escape.pipeline", elyra_pipeline([elyra_node("n1", "link.py")]))
    before = tree_snapshot(jp_root_dir)

    answers = {}
    for name in ("bad", "loop", "lost", "escape"):
        response = await call(
            jp_fetch, "POST", "pipelines/import-elyra", {"path": f"{name}.pipeline"}
        )
        assert response.code == 400, payload(response)
        answers[name] = payload(response)
    assert answers["bad"]["issues"][0]["line"] == 2
    assert answers["bad"]["message"].startswith("bad.pipeline:2:")
    assert "the nodes form a cycle" in answers["loop"]["message"]
    assert answers["lost"]["message"] == (
        "lost.pipeline: node 'gone.ipynb': file 'gone.ipynb' does not exist "
        "(at /pipelines/0/nodes/0/app_data/component_parameters/filename)"
    )
    assert "lies outside the folder the pipeline may use" in answers["escape"]["message"]
    assert tree_snapshot(jp_root_dir) == before


async def test_the_routes_need_authentication(jp_fetch: Any, jp_root_dir: Path) -> None:
    for route in ("pipelines/import-elyra", "pipelines/export-elyra"):
        response = await call(jp_fetch, "POST", route, {"path": "x"}, headers={"Authorization": ""})
        assert response.code == 403


@pytest.mark.parametrize(
    ("document", "words"),
    [
        ([], "must hold a JSON object"),
        ({"version": "3.0", "pipelines": {}}, "the file has no pipelines"),
        (
            {"version": "3.0", "primary_pipeline": "x", "pipelines": [{"id": "y"}]},
            "primary_pipeline",
        ),
        (
            {"version": "3.0", "pipelines": [{"id": "p", "nodes": [7]}]},
            "a node must be a JSON object",
        ),
        ({"version": 2, "pipelines": []}, "pipeline-flow version 2 is not supported"),
        (
            elyra_pipeline([elyra_node("n1", "a\x00b.py")]),
            "file 'a\x00b.py' cannot be used as a path",
        ),
        (elyra_pipeline([elyra_node("n1", "\ud800.py")]), "cannot be used as a path"),
        (elyra_pipeline([elyra_node("n1", "/etc/passwd")]), "lies outside the folder"),
        (elyra_pipeline([elyra_node("n1", "")]), "node 'n1' has no file"),
    ],
)
async def test_hostile_files_are_refused_not_crashed_on(
    jp_fetch: Any, jp_root_dir: Path, document: Any, words: str
) -> None:
    (jp_root_dir / "x.pipeline").write_text(json.dumps(document))
    before = tree_snapshot(jp_root_dir)
    response = await call(jp_fetch, "POST", "pipelines/import-elyra", {"path": "x.pipeline"})
    assert response.code == 400, payload(response)
    assert words in payload(response)["message"]
    assert tree_snapshot(jp_root_dir) == before


async def test_a_deeply_nested_file_is_refused(jp_fetch: Any, jp_root_dir: Path) -> None:
    (jp_root_dir / "deep.pipeline").write_text("[" * 100_000 + "]" * 100_000)
    response = await call(jp_fetch, "POST", "pipelines/import-elyra", {"path": "deep.pipeline"})
    assert response.code == 400
    assert "nested too deeply" in payload(response)["message"]
