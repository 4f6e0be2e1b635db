"""How long the pipeline model takes on a 1,000-step pipeline.

Measures parsing, full validation (schema, uuids, connections, cycles, step files on disk,
environments), planning, and what plans with the state of the outputs add, each as the median
of repeated runs, and reports each against a baseline measured in the same run: `json.loads` of
the same file, the least any tool that reads the pipeline must pay.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from orchest_lab.data.state import pipeline_data
from orchest_lab.pipeline import (
    PipelineDocument,
    ValidationContext,
    make_plan,
    validate_document,
)

STEPS = 1000
WIDTH = 10  # steps per layer; each step takes input from up to 3 steps of the layer before
REPEAT = 30


def build_pipeline(folder: Path) -> Path:
    document = PipelineDocument.new("bench")
    ids = [str(uuid.UUID(int=i + 1)) for i in range(STEPS)]
    for i, step_id in enumerate(ids):
        layer, slot = divmod(i, WIDTH)
        parents = (
            [] if layer == 0 else [ids[(layer - 1) * WIDTH + (slot + k) % WIDTH] for k in range(3)]
        )
        file_path = f"steps/step_{i}.{'ipynb' if i % 2 else 'py'}"
        (folder / file_path).parent.mkdir(exist_ok=True)
        (folder / file_path).write_text("")
        document.data["steps"][step_id] = {
            "environment": "",
            "file_path": file_path,
            "incoming_connections": parents,
            "kernel": {"display_name": "Python 3", "name": "python"},
            "meta_data": {"hidden": False, "position": [layer * 250, slot * 120]},
            "parameters": {"alpha": i},
            "title": f"Step {i}",
            "uuid": step_id,
        }
    path = folder / "bench.orchest"
    document.save(path)
    return path


def median_ms(fn: Callable[[], Any]) -> float:
    fn()  # warm caches (compiled schema, imports)
    samples = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        path = build_pipeline(Path(tmp))
        text = path.read_text()
        document = PipelineDocument.from_text(text)
        context = ValidationContext.for_pipeline_file(path, Path(tmp))
        last = list(document.steps)[-1]
        memory_root = Path(tmp) / "memory"
        assert validate_document(document, context).valid

        baseline = median_ms(lambda: json.loads(text))
        figures = {
            "parse (duplicate-key aware)": median_ms(lambda: PipelineDocument.from_text(text)),
            "validate (schema, graph, files)": median_ms(
                lambda: validate_document(document, context)
            ),
            "plan full": median_ms(lambda: make_plan(document, "full")),
            "plan incoming of the last step": median_ms(
                lambda: make_plan(document, "incoming", [last])
            ),
            # What POST pipelines/plan adds: every step's fingerprint (step files hashed once,
            # then cached by size and mtime), its last success and stored outputs.
            "outputs' state (fingerprints...)": median_ms(
                lambda: pipeline_data(document, path, Path(tmp), memory_root)
            ),
            "plan outdated, with that state": median_ms(
                lambda: make_plan(
                    document,
                    "outdated",
                    state=pipeline_data(document, path, Path(tmp), memory_root).plan_state(),
                )
            ),
        }

        def end_to_end() -> None:
            loaded = PipelineDocument.from_text(text)
            if validate_document(loaded, context).valid:
                make_plan(loaded, "full")

        total = median_ms(end_to_end)
    print(f"pipeline model, {STEPS} steps, {len(text) / 1024:.0f} KiB file, median of {REPEAT}")
    print(f"  {'baseline: json.loads':34} {baseline:7.2f} ms")
    for name, value in figures.items():
        print(f"  {name:34} {value:7.2f} ms   {value / baseline:5.1f}x baseline")
    print(f"  {'parse + validate + plan':34} {total:7.2f} ms   {total / baseline:5.1f}x baseline")
    return 0


if __name__ == "__main__":
    sys.exit(main())
