"""Text made safe for a spreadsheet cell: never a formula, never a character XML cannot carry,
never longer than a cell holds."""

from __future__ import annotations

import re

FORMULA_TRIGGERS = frozenset("=+-@\t\r")
# Characters XML 1.0 cannot carry (openpyxl raises IllegalCharacterError on the C0 ones and
# the file would be unreadable with the others).
ILLEGAL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# One pass decides whether a string can be written as it is (the common case).
NEEDS_CARE = re.compile("^[=+\\-@\t\r]|[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Strings openpyxl would store as error values rather than text.
ERROR_LOOKALIKES = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!",
                              "#N/A"})
#: Excel's limit on the length of one cell's text, in UTF-16 code units.
MAX_CELL_TEXT = 32_767
# Strings at most this long (in code points) are within the limit whatever they hold.
SURELY_SHORT = MAX_CELL_TEXT // 2


def safe_text(value: str) -> str:
    """``value`` made safe to store as spreadsheet text.

    - Characters XML cannot carry (C0 controls other than tab, line feed and carriage return,
      lone surrogates, U+FFFE, U+FFFF) are replaced by U+FFFD, so user text never makes an
      export fail and the reader can see that something was there.
    - Text whose first character is ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
      prefixed with a single quote (the OWASP recommendation against formula injection).
      Inside the workbook such text is already safe because it is written as a string cell;
      the quote keeps it inert when the sheet is copied, re-typed or saved as CSV and opened
      again, where a spreadsheet would otherwise evaluate it. Nothing is stripped first: a
      leading space is not a trigger.
    - Text longer than a cell holds (:data:`MAX_CELL_TEXT`) is cut and ends with "…".
    """
    text = ILLEGAL_CHARACTERS.sub("\ufffd", value)
    if text and text[0] in FORMULA_TRIGGERS:
        text = "'" + text
    return _fit_cell(text)


def _fit_cell(text: str) -> str:
    """``text`` cut to what one Excel cell holds (:data:`MAX_CELL_TEXT` UTF-16 code units),
    ending with "…" when cut: Excel refuses to open a file with a longer cell."""
    if len(text) <= SURELY_SHORT:
        return text
    encoded = text.encode("utf-16-le", "surrogatepass")
    if len(encoded) <= 2 * MAX_CELL_TEXT:
        return text
    # A character outside the BMP cut in half is dropped whole by "ignore".
    return encoded[:2 * (MAX_CELL_TEXT - 1)].decode("utf-16-le", "ignore") + "\u2026"
