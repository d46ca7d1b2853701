"""Census XML: writing (:mod:`.writer`), reading (:mod:`.reader`) and the XSD (:mod:`.xsd`)."""

from cin_xl.xml.reader import ReadResult, read_xml
from cin_xl.xml.writer import ExportRefused, to_xml_bytes, write_xml
from cin_xl.xml.xsd import schema_for, schema_problems

__all__ = ["ReadResult", "read_xml", "ExportRefused", "to_xml_bytes", "write_xml", "schema_for",
           "schema_problems"]
