"""Cells for CSV exports that staff open in a spreadsheet."""


def text_cell(value) -> str:
    """A cell a spreadsheet shows as text: never a formula, whatever someone typed."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text
