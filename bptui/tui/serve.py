"""`bptui --serve`: the screen in a web browser, through textual-serve.

It lives under :mod:`bptui.tui` because textual-serve is part of the screen's world: nothing
in the core (``bptui/`` outside ``tui/``) imports Textual or textual-serve, so a script that
only uses the engine never pays for them. Each viewer gets its own ``python -m bptui`` process
running the ordinary screen.
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Iterable
from pathlib import Path

from bptui.errors import BptuiError
from bptui.i18n import _
from bptui.visible import visible


def serve(target: str, title: str, *, host: str, port: int, mistake: str | None = None,
          quiz: Iterable[str] | None = None, graph: bool = False) -> int:
    """Serve the screen of scenario ``target`` (a path or built-in name) until Ctrl+C."""
    try:
        from textual_serve.server import Server
    except ImportError:
        from bptui.cli import SERVE_HINT

        raise BptuiError(_("--serve needs textual-serve: {hint}", hint=SERVE_HINT)) from None
    if Path(target).exists():  # each viewer's process may start in another folder
        target = str(Path(target).resolve())
    command = [sys.executable, "-m", "bptui", target]
    if mistake:
        command += ["--mistake", mistake]
    if quiz:
        command += ["--quiz", ",".join(sorted(quiz))]
    if graph:  # a layered scenario shown as its computational graph (--graph)
        command += ["--graph"]
    title = visible(title, keep_newlines=False)  # text from the file: no escape codes
    print(_("bptui: serving {title} at {url} (Ctrl+C to stop)", title=title,
            url=f"http://{host}:{port}"), flush=True)
    try:
        Server(shlex.join(command), host=host, port=port, title=f"bptui: {title}").serve()
    except OSError as exc:
        raise BptuiError(_("--serve: cannot listen on {address}: {error}",
                           address=f"{host}:{port}", error=exc.strerror or exc)) from None
    return 0
