"""Configuration of the SDK, under the names Orchest's SDK used.

Values that come from the environment are read when asked for, not when `orchest` is imported,
so that a kernel prepared for a step after its start sees the step's values.
"""

from __future__ import annotations

import os
from typing import Any


class _FromEnvironment(type):
    """Class attributes read from environment variables, unless assigned."""

    _variables = {
        "SESSION_UUID": "ORCHEST_SESSION_UUID",
        "SESSION_TYPE": "ORCHEST_SESSION_TYPE",
        "PROJECT_UUID": "ORCHEST_PROJECT_UUID",
        "PIPELINE_UUID": "ORCHEST_PIPELINE_UUID",
        "PIPELINE_DEFINITION_PATH": "ORCHEST_PIPELINE_PATH",
        "PROJECT_DIR": "ORCHEST_PROJECT_DIR",
        "STEP_UUID": "ORCHEST_STEP_UUID",
        "RUN_UUID": "ORCHEST_RUN_UUID",
        "MEMORY_DIR": "ORCHEST_MEMORY_DIR",
    }

    def __getattr__(cls, name: str) -> Any:
        variable = _FromEnvironment._variables.get(name)
        if variable is None:
            raise AttributeError(name)
        value = os.environ.get(variable)
        if name == "PIPELINE_UUID" and value is None:
            return ""
        if name == "MEMORY_DIR" and not value:
            from ._store import memory_root

            return memory_root()
        return value


class Config(metaclass=_FromEnvironment):
    """SDK settings. Environment-derived values (PROJECT_UUID, PIPELINE_UUID,
    PIPELINE_DEFINITION_PATH, SESSION_UUID, SESSION_TYPE, PROJECT_DIR, STEP_UUID, RUN_UUID,
    MEMORY_DIR) are read from ORCHEST_* variables each time, unless assigned here."""

    # Kept for compatibility with code that reads them; orchest-lab uses none of them.
    ORCHEST_API_ADDRESS = "orchest-api"
    MAX_RELATIVE_STORE_CAPACITY = 1.0
    STORE_SOCKET_NAME = ""
    IDENTIFIER_SERIALIZATION = 1
    IDENTIFIER_EVICTION = 2
    CONN_NUM_RETRIES = 20

    # Separator of the fields of HEAD files; it may not appear in output names.
    __METADATA_SEPARATOR__ = "; "
    # The key of `get_inputs()` that lists the outputs given without a name.
    _RESERVED_UNNAMED_OUTPUTS_STR = "unnamed"

    # Set to True to silence the warnings about calling output functions several times in a
    # step, and get_inputs several times in a job run.
    silence_multiple_data_transfer_calls_warning: bool = False

    @classmethod
    def get_step_data_dir(cls, step_uuid: str) -> str:
        """Where a step's outputs go on disk: `.orchest/pipelines/<pipeline>/data/<step>/` of
        the project."""
        from . import _context

        return _context.current(need_step=False).data_dir(step_uuid)
