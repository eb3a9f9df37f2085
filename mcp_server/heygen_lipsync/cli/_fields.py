"""The create request's flags, built from the one field table (``heygen_lipsync.fields``).

``create`` declares ``**fields`` and is decorated with ``request_field_options``: typer then
sees one option per field of the spec the client was generated from (``--start-time``,
``--enable-caption/--no-enable-caption``, ...), with the spec's description as its help. A
field HeyGen adds becomes a flag by regenerating. The manifest columns of ``batch create``
are converted with the same table (``convert_cell``).
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer

from heygen_lipsync.cli._errors import UsageProblem
from heygen_lipsync.fields import RequestField, request_fields

__all__ = ["convert_cell", "field_flags", "request_field_options"]

F = TypeVar("F", bound=Callable[..., Any])
PANEL = "Request fields"

# The flattened sources (the table's one deliberate exception): one string each, parsed by the library.
_SOURCE_HELP = {
    "video": "Source video: https URL, asset id, or local file (uploaded first).",
    "audio": "New audio: https URL, asset id, or local file (uploaded first).",
}
_PYTHON_TYPES: dict[str, type] = {"bool": bool, "number": float, "integer": int, "str": str, "json": str}


def _option(spec: RequestField) -> inspect.Parameter:
    if spec.is_source:
        help_text = _SOURCE_HELP.get(spec.name, spec.help_text())
    elif spec.kind == "json":
        help_text = spec.help_text() + " Give it as JSON."
    else:
        help_text = spec.help_text()
    names = [spec.option] if spec.kind != "bool" else [f"{spec.option}/--no-{spec.option[2:]}"]
    option = typer.Option(
        *names, help=help_text, show_default=False, rich_help_panel=PANEL, autocompletion=_completer(spec.choices)
    )
    python_type = str if spec.is_source else _PYTHON_TYPES[spec.kind]
    return inspect.Parameter(
        spec.name,
        inspect.Parameter.KEYWORD_ONLY,
        default=None,
        annotation=Annotated[python_type | None, option],
    )


def _completer(choices: tuple[str, ...]) -> Callable[[str], list[str]] | None:
    """Shell completion of a field with known values (``--mode`` -> speed, precision); None: files, as before."""
    if not choices:
        return None
    return lambda incomplete: [choice for choice in choices if choice.startswith(incomplete)]


def request_field_options(after: str) -> Callable[[F], F]:
    """Give the decorated function (which takes ``**fields``) one CLI option per request field, after ``after``.

    Typer reads a command's options from its signature, so the fields are laid into
    ``__signature__``; typer then passes them by name into ``**fields``.
    """

    def decorate(func: F) -> F:
        signature = inspect.signature(func, eval_str=True)
        params = [p for p in signature.parameters.values() if p.kind is not inspect.Parameter.VAR_KEYWORD]
        at = [p.name for p in params].index(after) + 1
        keyword = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in params[1:]]
        fields = [_option(spec) for spec in request_fields()]
        ordered = [params[0], *keyword[: at - 1], *fields, *keyword[at - 1 :]]
        func.__signature__ = signature.replace(parameters=ordered)  # type: ignore[attr-defined]
        return func

    return decorate


def field_flags(values: dict[str, Any]) -> dict[str, Any]:
    """The request-field flags a user gave (not None), JSON fields parsed.

    Raises:
        UsageProblem: a JSON field's value is not JSON.
    """
    table = {spec.name: spec for spec in request_fields()}
    flags: dict[str, Any] = {}
    for name, value in values.items():
        if name not in table or value is None:
            continue
        if table[name].kind == "json":
            try:
                value = json.loads(value)
            except ValueError:
                raise UsageProblem(f"{table[name].option}: {value!r} is not JSON", param=name) from None
        flags[name] = value
    return flags


def convert_cell(spec: RequestField | None, value: str, where: str) -> Any:
    """A CSV cell as its field's type (booleans, numbers, JSON); unknown columns stay text for the library to name.

    Raises:
        UsageProblem: the cell does not read as the field's type.
    """
    if spec is None or spec.kind in ("str", "source"):
        return value
    if spec.kind == "bool":
        lowered = value.lower()
        if lowered in ("true", "yes", "1"):
            return True
        if lowered in ("false", "no", "0"):
            return False
        raise UsageProblem(f"{where}: {value!r} is not true or false", param="manifest")
    try:
        if spec.kind == "number":
            return float(value)
        if spec.kind == "integer":
            return int(value)
        return json.loads(value)
    except ValueError:
        kind = "a number" if spec.kind in ("number", "integer") else "JSON"
        raise UsageProblem(f"{where}: {value!r} is not {kind}", param="manifest") from None
