"""Global options anywhere: `heygen-lipsync list --human` works like `heygen-lipsync --human list`.

Click only accepts a group's options before the subcommand. People type output flags at the
end, so the root group moves the global options it finds after the command to the front
before parsing. Values of the command's own options are never moved (`--title --json` keeps
"--json" as the title), nothing after `--` is touched, and `mcp` keeps its arguments as given.
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperCommand, TyperGroup

__all__ = ["CompactFlagsCommand", "GlobalOptionsGroup", "hoist_global_options"]

GLOBAL_FLAGS = frozenset({"--sandbox", "--human", "--json", "--json-errors", "--debug"})
GLOBAL_WITH_VALUE = "--base-url"
PASSTHROUGH = frozenset({"mcp"})


def _value_options(command: Any) -> set[str]:
    names: set[str] = set()
    for param in getattr(command, "params", []):
        if getattr(param, "param_type_name", "") == "option" and not getattr(param, "is_flag", False):
            names.update(param.opts)
    return names


def hoist_global_options(group: Any, ctx: Any, args: list[str]) -> list[str]:
    """``args`` with the global options found after the (sub)command moved in front of it."""
    i, head = 0, []
    while i < len(args) and args[i].startswith("-") and args[i] != "--":  # globals already in front
        step = 2 if args[i] == GLOBAL_WITH_VALUE else 1
        head += args[i : i + step]
        i += step
    command, path = group, []
    while i < len(args) and hasattr(command, "get_command"):
        sub = command.get_command(ctx, args[i])
        if sub is None:
            return args  # unknown command: let click say so
        command = sub
        path.append(args[i])
        i += 1
    if not path or path[0] in PASSTHROUGH:
        return args
    hoisted, rest, takes_value = [], [], _value_options(command)
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest += args[i:]
            break
        if arg in takes_value:
            rest += args[i : i + 2]
            i += 2
            continue
        if arg in GLOBAL_FLAGS or arg.startswith(GLOBAL_WITH_VALUE + "="):
            hoisted.append(arg)
        elif arg == GLOBAL_WITH_VALUE:
            hoisted += args[i : i + 2]
            i += 1
        else:
            rest.append(arg)
        i += 1
    return [*head, *hoisted, *path, *rest]


class GlobalOptionsGroup(TyperGroup):
    """The root group: accepts its global options after the subcommand too."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return super().parse_args(ctx, hoist_global_options(self, ctx, args))


class CompactFlagsCommand(TyperCommand):
    """A command whose ``--x/--no-x`` flags name their negative form in the help text.

    Typer's help table gives ``--x`` and ``--no-x`` a column each; with names as long as
    ``--enable-speech-enhancement`` both no longer fit in 80 columns and Rich cuts them
    (``--keep-the-same-for…``), so a reader cannot learn the flag's name. Moving the
    negative form into the help text lets the name column show every name whole.
    """

    def format_help(self, ctx: Any, formatter: Any) -> None:
        saved = []
        for param in self.params:
            secondary = getattr(param, "secondary_opts", None)
            if secondary:
                saved.append((param, secondary, param.help))  # type: ignore[attr-defined]
                negative = " or ".join(secondary)
                param.help = f"{(param.help or '').rstrip('.')}; {negative} sends false."  # type: ignore[attr-defined]
                param.secondary_opts = []
        try:
            super().format_help(ctx, formatter)
        finally:
            for param, secondary, help_text in saved:
                param.secondary_opts = secondary
                param.help = help_text  # type: ignore[attr-defined]
