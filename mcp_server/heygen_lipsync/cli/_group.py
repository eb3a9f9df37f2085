"""The root group: commands loaded when used, and global options anywhere.

Each top-level command's module is imported, and its click command built, only when the
command runs (or help lists it): `heygen-lipsync list` does not load `create`'s field table,
the batch or dub machinery, nor build their options.

Global options anywhere: `heygen-lipsync list --human` works like `heygen-lipsync --human list`.
Click only accepts a group's options before the subcommand. People type output flags at the
end, so the root group moves the global options it finds after the command to the front
before parsing. Values of the command's own options are never moved (`--title --json` keeps
"--json" as the title), nothing after `--` is touched, and `mcp` keeps its arguments as given.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

import typer
import typer.main
from typer.core import TyperCommand, TyperGroup

__all__ = ["CompactFlagsCommand", "GlobalOptionsGroup", "flags_show_no_type", "hoist_global_options"]

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
    command, path, takes_value = group, list[str](), set[str]()
    while i < len(args) and hasattr(command, "get_command"):
        if args[i].startswith("-") and path:
            break  # a group that runs itself (`jobs --limit 5 --json`): the rest is its options
        sub = command.get_command(ctx, args[i])
        if sub is None:
            return args  # unknown command: let click say so
        command = sub
        path.append(args[i])
        takes_value |= _value_options(command)  # `jobs --limit 5 show ID`: the group's options keep values
        i += 1
    if not path or path[0] in PASSTHROUGH:
        return args
    hoisted, rest = [], []
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
    """The root group: loads each command from its module on first use; accepts global options after it.

    ``command_modules`` maps each top-level command to the module (in ``package``) whose
    ``register(app)`` adds it, in the order help lists them. A module is loaded once, and
    every command it registers becomes available.
    """

    command_modules: ClassVar[dict[str, str]] = {}
    package: ClassVar[str] = "heygen_lipsync.cli"
    markup: ClassVar[Any] = "markdown"

    def list_commands(self, ctx: Any) -> list[str]:
        eager = [name for name in self.commands if name not in self.command_modules]
        return [*self.command_modules, *eager]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self.commands and cmd_name in self.command_modules:
            self._load(self.command_modules[cmd_name])
        return self.commands.get(cmd_name)

    def load_all(self) -> dict[str, Any]:
        """Every command, loaded (for help, tests and documentation checks): name -> click command."""
        return {name: self.get_command(None, name) for name in self.list_commands(None)}

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        if args and args[0] not in self.commands and args[0] not in self.command_modules:
            self.load_all()  # an unknown name: the "did you mean" suggestion needs every name
        return super().resolve_command(ctx, args)

    def _load(self, module_name: str) -> None:
        module = importlib.import_module(f"{self.package}.{module_name}")
        holder = typer.Typer(rich_markup_mode=self.markup, pretty_exceptions_enable=False, add_completion=False)
        module.register(holder)
        for name, command in typer.main.get_group(holder).commands.items():
            self.commands.setdefault(name, command)

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return super().parse_args(ctx, hoist_global_options(self, ctx, args))

    def main(self, *args: Any, **kwargs: Any) -> Any:
        with flags_show_no_type():  # every help page of this run, a subcommand's included
            return super().main(*args, **kwargs)


@contextmanager
def flags_show_no_type() -> Iterator[None]:
    """Inside, help shows no ``<bool>`` type beside a flag (``--wait``): a flag takes no value to type.

    Typer 0.29 and later name every option's type in help, flags included; a person reads
    ``--wait <bool>`` as "give --wait a value" and types ``--wait true`` (an error). Earlier
    typer versions leave flags blank, and nothing changes for them.
    """
    option_class = typer.core.TyperOption
    original = option_class.__dict__.get("display_type_rich")
    if original is None:
        yield
        return

    def display_type_rich(self: Any, ctx: Any) -> Any:
        return None if getattr(self, "is_flag", False) and not getattr(self, "count", False) else original(self, ctx)

    option_class.display_type_rich = display_type_rich  # type: ignore[attr-defined]
    try:
        yield
    finally:
        option_class.display_type_rich = original  # type: ignore[attr-defined]


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
