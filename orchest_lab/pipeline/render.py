"""The step graph as text: Mermaid flowcharts and Graphviz DOT."""

from __future__ import annotations

import json

from .dag import Dag
from .document import PipelineDocument


def _label(document: PipelineDocument, uuid: str) -> tuple[str, str]:
    file_path = document.step(uuid).get("file_path")
    return document.step_title(uuid), file_path if isinstance(file_path, str) else ""


def to_mermaid(document: PipelineDocument) -> str:
    dag = Dag.from_steps(document.steps)
    ids = {uuid: f"s{i}" for i, uuid in enumerate(dag.order)}
    lines = ["flowchart LR"]
    for uuid in dag.order:
        title, file_path = _label(document, uuid)
        text = f"{title}<br/><small>{file_path}</small>" if file_path else title
        lines.append(f'    {ids[uuid]}["{_mermaid_escape(text)}"]')
    lines.extend(f"    {ids[parent]} --> {ids[child]}" for parent, child in dag.edges())
    return "\n".join(lines) + "\n"


def to_dot(document: PipelineDocument) -> str:
    dag = Dag.from_steps(document.steps)
    name = document.name or "pipeline"
    lines = [
        f"digraph {json.dumps(name)} {{",
        "    rankdir=LR;",
        '    node [shape=box, style="rounded"];',
    ]
    for uuid in dag.order:
        title, file_path = _label(document, uuid)
        label = _dot_escape(title) + (f"\\n{_dot_escape(file_path)}" if file_path else "")
        lines.append(f'    {json.dumps(uuid)} [label="{label}"];')
    lines.extend(f"    {json.dumps(p)} -> {json.dumps(c)};" for p, c in dag.edges())
    lines.append("}")
    return "\n".join(lines) + "\n"


def _mermaid_escape(text: str) -> str:
    # Mermaid reads entity codes inside quoted labels; quotes would end the label.
    return text.replace('"', "#quot;")


def _dot_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')
