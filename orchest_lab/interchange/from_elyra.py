"""Elyra `.pipeline` -> orchest-lab `.orchest`: what both formats have is mapped, the rest is
listed as Unmapped with where it was."""

from __future__ import annotations

import os
import re
import uuid as uuid_lib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..pipeline import FORMAT_VERSION, Dag, json_pointer
from .elyra_format import (
    ELYRA_VERSION,
    GENERIC_OPS,
    PARAMETER_TYPES,
    component_parameters,
    env_var_pairs,
    node_label,
    primary_pipeline,
)
from .paths import check_step_file, rebase
from .report import Conversion, ConversionError, Unmapped

IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
KERNELS = {
    ".ipynb": {"display_name": "Python 3", "name": "python"},
    ".py": {"display_name": "Python 3", "name": "python"},
    ".r": {"display_name": "R", "name": "r"},
}
RUNTIME_NAMES = {"KUBEFLOW_PIPELINES": "Kubeflow Pipelines", "APACHE_AIRFLOW": "Apache Airflow"}
# Elyra's resources and where they go among a step's Kubernetes resources.
RESOURCES = {
    "cpu": ("requests", "cpu", ""),
    "cpu_limit": ("limits", "cpu", ""),
    "memory": ("requests", "memory", "G"),  # Elyra counts memory in GB
    "memory_limit": ("limits", "memory", "G"),
}
DEFAULT_GPU_VENDOR = "nvidia.com/gpu"
MAPPED_PARAMETERS = {"filename", "runtime_image", "env_vars", "label", "gpu", "gpu_vendor"}
MAPPED_PARAMETERS |= set(RESOURCES)
WHY_NOT = {
    "dependencies": "orchest-lab runs steps in the project folder, where these files already are; "
    "nothing is packaged with a step",
    "include_subdirectories": "nothing is packaged with a step in orchest-lab",
    "outputs": "orchest-lab steps pass data with orchest.output(); files a step writes stay in "
    "the project folder",
    "pipeline_parameters": "in orchest-lab every step reads the pipeline's parameters with "
    "orchest.get_pipeline_param(name), not from environment variables",
}
KUBERNETES_ONLY = (
    "a Kubeflow Pipelines/Airflow setting that orchest-lab has no counterpart for; left out"
)


@dataclass
class _Import(Conversion):
    """`environments`: environment name -> uuid, of the target's project."""

    parameter_users: list[str] = field(default_factory=list)  # nodes given pipeline parameters


def elyra_to_orchest(
    data: dict[str, Any],
    *,
    source_dir: Path,
    target_dir: Path,
    environments: Mapping[str, str],
    name: str,
    boundary: Path | None = None,
) -> tuple[dict[str, Any], list[Unmapped]]:
    """The orchest pipeline of an Elyra document (see `read_elyra`), and what did not map.

    `environments`: the target project's environments by name (a runtime image maps to the one
    of the same name). File names, relative to `source_dir` in Elyra, come out relative to
    `target_dir`; a missing file, or one outside `boundary`, is a ConversionError."""
    state = _Import(source_dir, target_dir, environments, boundary)
    index, pipeline = primary_pipeline(data)
    base = json_pointer("pipelines", index)
    app_data = _object(pipeline.get("app_data"))
    properties = _object(app_data.get("properties"))
    defaults = properties.get("pipeline_defaults")
    defaults = defaults if isinstance(defaults, dict) else {}

    _pipeline_notes(state, data, index, app_data, properties, defaults, base)
    nodes = pipeline.get("nodes", [])
    kept: dict[str, str] = {}  # Elyra node id -> step uuid
    dropped: dict[str, str] = {}  # Elyra node id -> label
    steps: dict[str, dict[str, Any]] = {}
    node_env: list[tuple[str, dict[str, str]]] = []
    images: dict[str, list[str]] = {}
    for position, node in enumerate(nodes):
        pointer = f"{base}/nodes/{position}"
        if not isinstance(node, dict):
            raise ConversionError("a node must be a JSON object", pointer)
        label = node_label(node)
        step = _step(state, node, label, pointer, position, defaults, images)
        if step is None:
            dropped[str(node.get("id"))] = label
            continue
        if str(node.get("id")) in kept:
            raise ConversionError(f"two nodes have the id '{node.get('id')}'", pointer + "/id")
        kept[str(node.get("id"))] = step["uuid"]
        steps[step["uuid"]] = step
        node_env.append((label, _env_of(node, defaults)))
    _links(state, nodes, kept, dropped, steps, base)
    _check_acyclic(steps)
    _image_notes(state, images)
    if state.parameter_users:
        state.note(
            "node pipeline parameters",
            f"in Elyra {', '.join(state.parameter_users)} receive pipeline parameters as "
            f"environment variables; {WHY_NOT['pipeline_parameters']}",
        )
    document: dict[str, Any] = {
        "name": _name(properties, name),
        "parameters": _parameters(state, properties.get("pipeline_parameters"), base),
        "settings": {
            "auto_eviction": False,
            "data_passing_memory_size": "1GB",
            "max_steps_parallelism": 0,
        },
        "steps": steps,
        "uuid": _identifier(data.get("id")) or str(uuid_lib.uuid4()),
        "version": FORMAT_VERSION,
    }
    env_variables = _env_variables(state, node_env)
    if env_variables:
        document["env_variables"] = env_variables
    return document, state.unmapped


# --- the pipeline -------------------------------------------------------------------------------


def _name(properties: dict[str, Any], fallback: str) -> str:
    name = properties.get("name")
    return name[:255] if isinstance(name, str) and name.strip() else fallback[:255] or "pipeline"


def _pipeline_notes(
    state: _Import,
    data: dict[str, Any],
    index: int,
    app_data: dict[str, Any],
    properties: dict[str, Any],
    defaults: dict[str, Any],
    base: str,
) -> None:
    for other in range(len(data.get("pipelines", []))):
        if other != index:
            state.note(
                "sub-pipeline",
                "a pipeline inside a super node; orchest-lab pipelines are flat, so its nodes "
                "are left out",
                json_pointer("pipelines", other),
            )
    version = app_data.get("version")
    if isinstance(version, int) and version > ELYRA_VERSION:
        state.note(
            "Elyra format version",
            f"version {version} is newer than the {ELYRA_VERSION} this converter knows; "
            "fields it does not know are left out",
            base + "/app_data/version",
        )
    runtime_type = app_data.get("runtime_type")
    if isinstance(runtime_type, str) and runtime_type not in ("", "LOCAL", "GENERIC"):
        state.note(
            "runtime type",
            f"the pipeline was made for {RUNTIME_NAMES.get(runtime_type, runtime_type)}; "
            "orchest-lab runs it with its own executor (local kernels or Kubernetes)",
            base + "/app_data/runtime_type",
        )
    comments = (
        app_data.get("ui_data", {}).get("comments")
        if isinstance(app_data.get("ui_data"), dict)
        else None
    )
    for number, comment in enumerate(comments if isinstance(comments, list) else []):
        text = comment.get("content", "") if isinstance(comment, dict) else ""
        state.note(
            "comment",
            f'canvas comments have no place in an orchest pipeline: "{str(text)[:80]}"',
            f"{base}/app_data/ui_data/comments/{number}",
        )
    description = properties.get("description")
    if isinstance(description, str) and description.strip():
        state.note(
            "description",
            "orchest pipelines have no description",
            base + "/app_data/properties/description",
        )
    for key, value in defaults.items():
        if key in ("runtime_image", "env_vars") or _empty(value):
            continue
        state.note(
            key,
            WHY_NOT.get(key, KUBERNETES_ONLY),
            f"{base}/app_data/properties/pipeline_defaults/{key}",
        )


def _parameters(state: _Import, value: Any, base: str) -> dict[str, Any]:
    """Elyra 4's pipeline parameters (Kubeflow Pipelines pipelines) by name."""
    parameters: dict[str, Any] = {}
    for number, item in enumerate(value if isinstance(value, list) else []):
        pointer = f"{base}/app_data/properties/pipeline_parameters/{number}"
        name = item.get("name") if isinstance(item, dict) else None
        if not isinstance(name, str) or not name:
            state.note("pipeline parameter", "it has no name; left out", pointer)
            continue
        assert isinstance(item, dict)
        default = _object(item.get("default_value"))
        raw = item.get("value")
        if raw in (None, ""):
            raw = default.get("value")
        parameters[name] = _typed(raw, default.get("type"))
        if (isinstance(item.get("description"), str) and item["description"].strip()) or item.get(
            "required"
        ):
            state.note(
                f"pipeline parameter '{name}'",
                "its description and 'required' flag have no place in orchest-lab; "
                "its value is kept",
                pointer,
            )
    return parameters


def _typed(value: Any, kind: Any) -> Any:
    wanted = PARAMETER_TYPES.get(kind) if isinstance(kind, str) else None
    if (
        value is None
        or wanted is None
        or (isinstance(value, wanted) and not (wanted is int and isinstance(value, bool)))
    ):
        return value
    try:
        if wanted is bool:
            return str(value).strip().lower() in ("true", "1", "yes")
        return wanted(value)
    except (TypeError, ValueError):
        return value


# --- nodes --------------------------------------------------------------------------------------


def _step(
    state: _Import,
    node: dict[str, Any],
    label: str,
    pointer: str,
    position: int,
    defaults: dict[str, Any],
    images: dict[str, list[str]],
) -> dict[str, Any] | None:
    kind = node.get("type")
    if kind != "execution_node":
        what = {"super_node": "super node", "binding": "binding node"}.get(
            str(kind), f"node of type {kind}"
        )
        state.note(
            what, "orchest-lab pipelines have only steps that run a file; left out", pointer, label
        )
        return None
    op = node.get("op")
    if op not in GENERIC_OPS.values():
        state.note(
            "custom component",
            f"component '{op}' runs a container of Kubeflow Pipelines or Airflow, not a "
            "notebook or script; left out",
            pointer + "/op",
            label,
        )
        return None
    parameters = component_parameters(node)
    params_pointer = pointer + "/app_data/component_parameters"
    filename = parameters.get("filename")
    if not isinstance(filename, str) or not filename.strip():
        raise ConversionError(f"node '{label}' has no file", params_pointer + "/filename")
    source_file = state.source_dir / filename
    problem = check_step_file(source_file, state.boundary)
    if problem:
        raise ConversionError(
            f"node '{label}': file '{filename}' {problem}",
            params_pointer + "/filename",
            code="missing-file",
        )
    extension = os.path.splitext(filename)[1].lower()
    step: dict[str, Any] = {
        "environment": "",
        "file_path": rebase(source_file, state.target_dir),
        "incoming_connections": [],
        "kernel": dict(KERNELS.get(extension, KERNELS[".py"])),
        "meta_data": {"hidden": False, "position": _position(node, position)},
        "parameters": {},
        "title": label[:255],
        "uuid": _identifier(node.get("id")) or _derived_uuid(str(node.get("id"))),
    }
    image = parameters.get("runtime_image") or defaults.get("runtime_image")
    if isinstance(image, str) and image:
        environment = state.environments.get(image)
        if environment:
            step["environment"] = environment
        else:
            images.setdefault(image, []).append(label)
    resources = _resources(state, parameters, params_pointer, label)
    if resources:
        step["resources"] = resources
    for key, value in parameters.items():
        if key in MAPPED_PARAMETERS or _empty(value):
            continue
        if key == "pipeline_parameters":
            state.parameter_users.append(label)
            continue
        state.note(key, WHY_NOT.get(key, KUBERNETES_ONLY), f"{params_pointer}/{key}", label)
    return step


def _position(node: dict[str, Any], index: int) -> list[float]:
    app_data = _object(node.get("app_data"))
    ui_data = _object(app_data.get("ui_data"))
    x, y = ui_data.get("x_pos"), ui_data.get("y_pos")
    if isinstance(x, (int, float)) and isinstance(y, (int, float)) and _number(x) and _number(y):
        return [x, y]
    return [80 + 260 * index, 120]  # Elyra laid it out itself: a row, as a start


def _resources(
    state: _Import, parameters: dict[str, Any], pointer: str, label: str
) -> dict[str, Any]:
    resources: dict[str, dict[str, Any]] = {}
    for key, (section, name, unit) in RESOURCES.items():
        value = parameters.get(key)
        if _empty(value):
            continue
        amount = _amount(value)
        if amount is None:
            state.note(key, f"'{value}' is not a number; left out", f"{pointer}/{key}", label)
            continue
        resources.setdefault(section, {})[name] = f"{amount}{unit}" if unit else amount
    gpu = parameters.get("gpu")
    if not _empty(gpu):
        amount = _amount(gpu)
        vendor = parameters.get("gpu_vendor") or DEFAULT_GPU_VENDOR
        if amount is None or not isinstance(vendor, str):
            state.note("gpu", f"'{gpu}' is not a number; left out", f"{pointer}/gpu", label)
        elif amount:
            resources.setdefault("limits", {})[vendor] = amount
    return resources


def _amount(value: Any) -> int | float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value if value >= 0 else None
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    if number < 0:
        return None
    return int(number) if number.is_integer() else number


def _env_of(node: dict[str, Any], defaults: dict[str, Any]) -> dict[str, str]:
    """The node's env vars over the pipeline's defaults; empty values are dropped, as Elyra does."""
    merged = dict(env_var_pairs(defaults.get("env_vars")))
    merged.update(env_var_pairs(component_parameters(node).get("env_vars")))
    return {name: value for name, value in merged.items() if value != ""}


def _env_variables(state: _Import, node_env: list[tuple[str, dict[str, str]]]) -> dict[str, str]:
    """orchest-lab's env variables are the pipeline's, given to every step: one value a name."""
    values: dict[str, dict[str, list[str]]] = {}
    for label, env in node_env:
        for name, value in env.items():
            values.setdefault(name, {}).setdefault(value, []).append(label)
    result = {}
    for name, by_value in values.items():
        chosen = max(by_value, key=lambda v: len(by_value[v]))
        result[name] = chosen
        users = sum(len(labels) for labels in by_value.values())
        if len(by_value) > 1:
            others = "; ".join(
                f"'{v}' in {', '.join(ls)}" for v, ls in by_value.items() if v != chosen
            )
            state.note(
                f"env var {name}",
                f"nodes give it different values; orchest-lab's env variables hold one value for "
                f"every step, so '{chosen}' is kept (also set: {others})",
            )
        elif users < len(node_env):
            state.note(
                f"env var {name}",
                f"set on {users} of {len(node_env)} nodes; orchest-lab's env variables apply to "
                "every step, so now every step has it",
            )
    return result


def _image_notes(state: _Import, images: dict[str, list[str]]) -> None:
    for image, labels in images.items():
        state.note(
            f"runtime image '{image}'",
            f"no environment of the project is named '{image}'; "
            f"{'its steps' if len(labels) > 1 else 'the step'} ({', '.join(labels)}) run in the "
            "default kernel. Create an environment of that name, or choose one in the editor",
        )


def _links(
    state: _Import,
    nodes: list[Any],
    kept: dict[str, str],
    dropped: dict[str, str],
    steps: dict[str, dict[str, Any]],
    base: str,
) -> None:
    for position, node in enumerate(nodes):
        step_uuid = kept.get(str(node.get("id"))) if isinstance(node, dict) else None
        if step_uuid is None:
            continue
        ports = node.get("inputs")
        for port_index, port in enumerate(ports if isinstance(ports, list) else []):
            links = port.get("links") if isinstance(port, dict) else None
            for link_index, link in enumerate(links if isinstance(links, list) else []):
                pointer = f"{base}/nodes/{position}/inputs/{port_index}/links/{link_index}"
                parent = str(link.get("node_id_ref")) if isinstance(link, dict) else ""
                connections = steps[step_uuid]["incoming_connections"]
                if parent in kept:
                    if kept[parent] not in connections:
                        connections.append(kept[parent])
                else:
                    why = (
                        f"it comes from '{dropped[parent]}', which was left out"
                        if parent in dropped
                        else f"no node has the id '{parent[:64]}'"
                    )
                    state.note("link", f"{why}; left out", pointer, steps[step_uuid]["title"])


def _check_acyclic(steps: dict[str, dict[str, Any]]) -> None:
    cycles = Dag.from_steps(steps).cycles()
    if cycles:
        names = " -> ".join(f"'{steps[u]['title']}'" for u in cycles[0])
        raise ConversionError(
            f"the nodes form a cycle: {names}; a pipeline must be acyclic", code="cycle"
        )


# --- helpers ------------------------------------------------------------------------------------


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _identifier(value: Any) -> str | None:
    return value if isinstance(value, str) and IDENTIFIER.fullmatch(value) else None


def _derived_uuid(node_id: str) -> str:
    """A stable uuid for a node id orchest-lab cannot use as a step uuid."""
    return str(uuid_lib.uuid5(uuid_lib.NAMESPACE_URL, "elyra-node:" + node_id))


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _empty(value: Any) -> bool:
    return value in (None, "", [], {}, False) or (isinstance(value, str) and not value.strip())
