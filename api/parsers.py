"""The API's JSON parser: DRF's, with a bound on how deeply a body may nest.

Python's json module recurses once per level and fails with a RecursionError around a thousand
levels, which DRF does not expect (a 500). No request of this API nests more than a few levels,
so a body deeper than ``MAX_DEPTH`` is refused with 400 before it is decoded.
"""

from io import BytesIO

from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 32


def nesting_depth(text: str) -> int:
    """How deeply ``[`` and ``{`` nest in JSON text, outside strings (no recursion)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


class BoundedJSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ParseError("The body is not UTF-8 text: send JSON encoded as UTF-8.") from None
        if nesting_depth(text) > MAX_DEPTH:
            raise ParseError(
                f"The JSON body nests deeper than {MAX_DEPTH} levels: no request of this API "
                "needs that; send the fields the documentation lists."
            )
        try:
            return super().parse(BytesIO(raw), media_type, parser_context)
        except RecursionError:  # not reached below MAX_DEPTH; kept as a last line
            raise ParseError("The JSON body nests too deeply.") from None
