"""Pipeline services (Orchest ran containers beside a pipeline's session). orchest-lab runs no
services; these functions say so rather than fail obscurely."""

from __future__ import annotations

from typing import Any

from .error import ServiceNotFound


def get_services() -> dict[str, Any]:
    """The pipeline's running services: none under orchest-lab."""
    return {}


def get_service(name: str) -> dict[str, Any]:
    raise ServiceNotFound(
        f"service '{name}' is not running: orchest-lab does not start the services of a "
        "pipeline definition; start the program yourself and pass its address as a parameter "
        "or an environment variable"
    )
