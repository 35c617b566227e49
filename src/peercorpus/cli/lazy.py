"""Commands built only when they run.

Typer turns every registered command into a click command (reading its signature, building
its options) before it parses the command line: 13 commands, a tenth of a second on each call,
which a warm ``peercorpus kwic`` on a large corpus notices. Here the root group holds a
mapping that imports a command's module and builds its commands when one of them is asked
for; listing the names (``--help``, "did you mean") needs no import at all.

    group = LazyGroup(name="peercorpus")
    group.commands["kwic"]          # imports cli.kwic_commands, builds kwic and dispersion
    list(group.commands)            # ['ingest', 'info', 'kwic', ...] without importing anything
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Iterator, MutableMapping

import typer.main
from typer.core import TyperGroup

from ..render.export import CsvOptions
from .common import Reading, Verbosity

# Command name -> the module (in this package) whose ``app`` defines it, in the order
# ``peercorpus --help`` lists them. tests/cli checks it against the modules' own commands.
COMMAND_MODULES = {
    "ingest": "corpus_commands",
    "info": "corpus_commands",
    "show": "corpus_commands",
    "kwic": "kwic_commands",
    "dispersion": "kwic_commands",
    "freq": "count_commands",
    "collocates": "count_commands",
    "collocations": "count_commands",
    "keyness": "count_commands",
    "stats": "count_commands",
    "dtm": "dtm_commands",
    "topics": "topic_commands",
    "code": "code_commands",
    "codebook": "qda_commands",
    "qdpx": "qda_commands",
    "report": "report_commands",
    "setup": "setup_commands",
}


def build_module_commands(module_name: str) -> dict[str, object]:
    """The click commands of ``cli.<module_name>.app`` by name, built once per process: a
    program that runs ``peercorpus.cli.app`` again and again (a notebook, a script, the test
    suite's 600 runs) does not rebuild them (~6 ms a run)."""
    return dict(_built_module_commands(module_name))


@functools.cache
def _built_module_commands(module_name: str) -> dict[str, object]:
    module = importlib.import_module(f"{__package__}.{module_name}")
    built = typer.main.get_command(module.app)
    commands = dict(built.commands) if isinstance(built, TyperGroup) else {built.name: built}
    for command in commands.values():
        accept_global_options(command)
        reflow_help(command)
    return commands


def reflow_help(command) -> None:
    """Join the lines of each paragraph of ``command``'s help (and its subcommands'): Typer's rich
    help keeps a docstring's line breaks, so at 80 columns a line cut at 100 left a word or two
    alone on the next line. A paragraph that starts with click's ``\\b`` keeps its lines.

    >>> from click import Command
    >>> command = Command("kwic", help="Keyword in context:\\nevery occurrence.\\n\\nExample: kwic a b")
    >>> reflow_help(command); command.help
    'Keyword in context: every occurrence.\\n\\nExample: kwic a b'
    """
    for subcommand in getattr(command, "commands", {}).values():
        reflow_help(subcommand)
    if command.help:
        command.help = "\n\n".join(
            paragraph if paragraph.startswith("\b") else " ".join(line.strip() for line in paragraph.splitlines())
            for paragraph in command.help.split("\n\n")
        )


#: The root's options a command also takes after its name (``peercorpus kwic … -q``).
GLOBAL_FLAGS = {"quiet": ("--quiet", "-q"), "verbose": ("--verbose", "-v"), "traceback": ("--traceback",), "safe_csv": ("--safe-csv",)}


def accept_global_options(command) -> None:
    """Let ``command`` take ``-q``, ``-v``, ``--traceback``, ``--sections`` and ``--scheduler`` after its name
    too (hidden from its help: the root's help lists them); given there, they set what the root
    would. A command without ``--cache-dir`` takes it too, as the root's. Leaves options a
    command defines itself alone."""
    from typer.core import TyperOption


    if getattr(command, "commands", None):  # a group (codebook, qdpx): its commands take them
        for subcommand in command.commands.values():
            accept_global_options(subcommand)
        return

    taken = {opt for param in command.params for opt in getattr(param, "opts", [])}
    added = []
    for name, flags in GLOBAL_FLAGS.items():
        flags = tuple(f for f in flags if f not in taken)
        if flags:
            command.params.append(TyperOption(param_decls=[*flags, f"_global_{name}"], is_flag=True, default=False, hidden=True))
            added.append(name)
    cache_dir = "--cache-dir" not in taken
    if cache_dir:
        command.params.append(TyperOption(param_decls=["--cache-dir", "_global_cache_dir"], default=None, hidden=True, type=str))
    sections = "--sections" not in taken
    if sections:
        command.params.append(TyperOption(param_decls=["--sections", "_global_sections"], default=None, hidden=True, type=str))
    scheduler = "--scheduler" not in taken
    if scheduler:
        command.params.append(TyperOption(param_decls=["--scheduler", "_global_scheduler"], default=None, hidden=True, type=str))
    memory = "--memory-mb" not in taken
    if memory:
        command.params.append(TyperOption(param_decls=["--memory-mb", "_global_memory_mb"], default=None, hidden=True, type=str))
    if not added and not cache_dir and not sections and not scheduler and not memory:
        return
    callback = command.callback

    def with_global_options(*args, **kwargs):
        for name in added:
            if kwargs.pop(f"_global_{name}", False):
                if name == "safe_csv":
                    CsvOptions.safe = True
                else:
                    setattr(Verbosity, name, True)
                    if name == "quiet":
                        Verbosity.silence_libraries()
        chosen_sections = kwargs.pop("_global_sections", None)
        if chosen_sections is not None:
            Reading.sections = chosen_sections
        chosen_scheduler = kwargs.pop("_global_scheduler", None)
        if chosen_scheduler is not None:
            Verbosity.scheduler = chosen_scheduler
        memory_mb = kwargs.pop("_global_memory_mb", None)
        if memory_mb is not None:
            from ..core.chunks import set_memory_mb

            set_memory_mb(memory_mb, name="--memory-mb", check=False)  # checked inside the command: one line, exit 2
        value = kwargs.pop("_global_cache_dir", None)
        if value is not None:
            from pathlib import Path

            Verbosity.cache_dir = Path(value)
        return callback(*args, **kwargs)

    command.callback = with_global_options


class LazyCommands(MutableMapping):
    """Command name -> click command, built on first access from ``COMMAND_MODULES``."""

    def __init__(self, modules: dict[str, str]):
        self._modules = dict(modules)
        self._built: dict[str, object] = {}

    def __getitem__(self, name: str):
        if name not in self._built:
            self._built.update(build_module_commands(self._modules[name]))  # KeyError: no such command
        return self._built[name]

    def __setitem__(self, name: str, command) -> None:
        self._modules.setdefault(name, "")
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        del self._modules[name]
        self._built.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __len__(self) -> int:
        return len(self._modules)


class LazyGroup(TyperGroup):
    """Typer's group (rich help, suggestions) over ``LazyCommands``; use as ``typer.Typer(cls=LazyGroup)``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.commands = LazyCommands(COMMAND_MODULES)
