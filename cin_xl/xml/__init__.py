"""Census XML: writing (:mod:`.writer`), reading (:mod:`.reader`) and the XSD (:mod:`.xsd`)."""

from .reader import ReadResult, read_xml
from .writer import ExportRefused, to_xml_bytes, write_xml
from .xsd import schema_for, schema_problems

__all__ = ["ReadResult", "read_xml", "ExportRefused", "to_xml_bytes", "write_xml", "schema_for",
           "schema_problems"]
