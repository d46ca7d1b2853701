"""How a marked cell looks, declared once: the fill, border and text of error and query marks.

The template's conditional formats (:mod:`.template`, through openpyxl) and annotate's, when it puts the
Issues and Marks columns back into a workbook (:mod:`.annotate`, as raw ``<dxf>`` XML), both render these;
the macro-enabled workbook and the Excel buttons use the template's. A FILL-IN mark (rollover) is a query
and looks like one.
"""

from __future__ import annotations

from dataclasses import dataclass

from cin_xl.workbook.layout import MARK_ERROR, MARK_QUERY
from cin_xl.workbook.package.ooxml import MAIN


@dataclass(frozen=True)
class MarkStyle:
    """A marked cell's look: a solid fill, a border on all four sides, and the text's colour and emphasis.
    Colours are RGB hex, as Excel's ``rgb`` attributes hold them without the alpha."""

    fill: str
    border: str
    #: Excel's border style: "thin", "dotted", ...
    border_style: str
    text: str
    bold: bool = False
    italic: bool = False


#: Okabe-Ito colours: errors orange with a vermillion border, bold; queries sky blue with a blue dotted border,
#: italic (told apart without colour too)
ERROR_MARK = MarkStyle(fill="E69F00", border="D55E00", border_style="thin", text="000000", bold=True)
QUERY_MARK = MarkStyle(fill="CDEBFA", border="0072B2", border_style="dotted", text="003D66", italic=True)
#: the style of each mark letter of the Marks column
MARK_STYLES = {MARK_ERROR: ERROR_MARK, MARK_QUERY: QUERY_MARK}


def dxf_xml(style: MarkStyle) -> str:
    """The style as a differential format (``<dxf>``, in the main namespace) for a conditional format."""
    font = ("<b/>" if style.bold else "") + ("<i/>" if style.italic else "") + f'<color rgb="FF{style.text}"/>'
    sides = "".join(f'<{side} style="{style.border_style}"><color rgb="FF{style.border}"/></{side}>'
                    for side in ("left", "right", "top", "bottom"))
    return (f'<dxf xmlns="{MAIN}"><font>{font}</font><fill><patternFill patternType="solid">'
            f'<fgColor rgb="FF{style.fill}"/><bgColor rgb="FF{style.fill}"/></patternFill></fill>'
            f"<border>{sides}</border></dxf>")


__all__ = ["MarkStyle", "ERROR_MARK", "QUERY_MARK", "MARK_STYLES", "dxf_xml"]
