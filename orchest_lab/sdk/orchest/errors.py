"""The SDK's exceptions under the module name of Orchest's first SDK versions (`orchest.errors`)."""

from .error import *  # noqa: F403
from .error import (  # noqa: F401
    DataInvalidNameError,
    DeserializationError,
    DiskOutputNotFoundError,
    Error,
    InputNameCollisionError,
    InvalidMetaDataError,
    MemoryOutputNotFoundError,
    ObjectNotFoundError,
    OrchestNetworkError,
    OutputNotFoundError,
    PipelineDefinitionNotFoundError,
    SerializationError,
    StepUUIDResolveError,
)
