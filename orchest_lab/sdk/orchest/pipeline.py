"""A pipeline definition as objects: steps with their parents and children."""

from __future__ import annotations

from typing import Any

from . import error

PipelineDefinition = dict[str, Any]  # the JSON of a *.orchest file
PipelineStepProperties = dict[str, Any]  # one entry of its "steps"


class PipelineStep:
    """A step: its properties (as in the pipeline file), its parents in `incoming_connections`
    order, and its children."""

    def __init__(
        self, properties: PipelineStepProperties, parents: list[PipelineStep] | None = None
    ) -> None:
        self.properties = properties
        self.parents: list[PipelineStep] = parents if parents is not None else []
        self.children: list[PipelineStep] = []

    @property
    def uuid(self) -> str:
        return str(self.properties.get("uuid", ""))

    @property
    def title(self) -> str:
        return str(self.properties.get("title") or self.properties.get("file_path") or self.uuid)

    def get_params(self) -> dict[str, Any]:
        params = self.properties.get("parameters")
        return params if isinstance(params, dict) else {}

    def __repr__(self) -> str:
        return f"PipelineStep({self.title!r})"

    __str__ = __repr__


class Pipeline:
    def __init__(self, steps: list[PipelineStep], properties: dict[str, Any]) -> None:
        self.steps = steps
        self.properties = properties

    @classmethod
    def from_json(cls, description: PipelineDefinition) -> Pipeline:
        """A pipeline from the JSON of its definition (a *.orchest file, loaded)."""
        raw_steps = description.get("steps")
        if not isinstance(raw_steps, dict):
            raise error.PipelineDefinitionNotFoundError("the pipeline definition has no steps")
        steps = {
            uuid: PipelineStep({"uuid": uuid, **props})
            for uuid, props in raw_steps.items()
            if isinstance(props, dict)
        }
        for step in steps.values():
            connections = step.properties.get("incoming_connections") or []
            for parent_uuid in connections:
                parent = steps.get(parent_uuid)
                if parent is not None and parent not in step.parents:
                    step.parents.append(parent)
                    parent.children.append(step)
        properties = {
            "name": description.get("name"),
            "uuid": description.get("uuid"),
            "settings": description.get("settings") or {},
            "parameters": description.get("parameters") or {},
            "services": description.get("services") or {},
        }
        return cls(list(steps.values()), properties)

    def to_dict(self) -> PipelineDefinition:
        description: PipelineDefinition = dict(self.properties)
        description["steps"] = {step.uuid: step.properties for step in self.steps}
        return description

    def get_step_by_uuid(self, uuid: str) -> PipelineStep:
        for step in self.steps:
            if step.uuid == uuid:
                return step
        raise error.StepUUIDResolveError(
            f"the pipeline '{self.properties.get('name')}' has no step with uuid {uuid}"
        )

    def get_params(self) -> dict[str, Any]:
        params = self.properties.get("parameters")
        return params if isinstance(params, dict) else {}

    def __repr__(self) -> str:
        return f"Pipeline({self.steps!r})"
