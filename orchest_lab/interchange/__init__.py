"""Interchange with Elyra's `.pipeline` files (pipeline-flow v3): conversion both ways, with a
list of what does not map. Pure conversion in from_elyra/to_elyra; files.py reads and writes."""

from .elyra_format import ELYRA_SUFFIX, read_elyra
from .files import Conversion, convert, convert_beside, convert_file, environments_by_name
from .from_elyra import elyra_to_orchest
from .report import ConversionError, Unmapped
from .to_elyra import orchest_to_elyra

__all__ = [
    "ELYRA_SUFFIX",
    "Conversion",
    "ConversionError",
    "Unmapped",
    "convert",
    "convert_beside",
    "convert_file",
    "elyra_to_orchest",
    "environments_by_name",
    "orchest_to_elyra",
    "read_elyra",
]
