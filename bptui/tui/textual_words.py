"""Textual's own words on bptui's screen (the footer's "palette", the palette's system
commands and its search prompt) in the learner's language.

Textual writes them in English inside the library; they are declared here with ``N_`` so that
the catalogue carries them, and put back translated where bptui hands them to Textual. A word
Textual adds in a later version stays English until it is declared here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from textual.app import App, SystemCommand

from bptui.i18n import N_, _

PALETTE = N_("palette")
SEARCH = N_("Search for commands…")
#: The system commands' titles and helps, as Textual 8 writes them.
WORDS = frozenset((
    N_("Theme"), N_("Change the current theme"),
    N_("Quit"), N_("Quit the application as soon as possible"),
    N_("Keys"), N_("Hide the keys and widget help panel"),
    N_("Show help for the focused widget and a summary of available keys"),
    N_("Minimize"), N_("Minimize the widget and restore to normal size"),
    N_("Maximize"), N_("Maximize the focused widget"),
    N_("Screenshot"), N_("Save an SVG 'screenshot' of the current screen"),
))


def _word(text: str) -> str:
    return _(text) if text in WORDS else text


def system_commands(commands: Iterable[SystemCommand]) -> Iterable[SystemCommand]:
    """Textual's system commands with their titles and helps translated."""
    for c in commands:
        yield c._replace(title=_word(c.title), help=_word(c.help))


def localise_palette_key(app: App) -> None:
    """The footer's "palette" (the ctrl+p binding Textual adds to the app) in the language."""
    table = app._bindings.key_to_bindings
    for key, found in table.items():
        table[key] = [dataclasses.replace(b, description=_(PALETTE))
                      if b.action == "command_palette" else b for b in found]
