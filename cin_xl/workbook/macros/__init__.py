"""The macro-enabled workbook: the template's ``.xlsm`` with xlwings' VBA module and the buttons.

- :mod:`.xlsm`: turns the ``.xlsx`` package into an ``.xlsm`` (content types, VBA project part, code
  names, form-control buttons, the ``xlwings.conf`` sheet);
- :mod:`.vba`: the VBA project (MS-OVBA: module compression, the ``dir`` stream);
- :mod:`.cfb`: the compound file container (MS-CFB) that holds it.
"""
