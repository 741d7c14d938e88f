"""Where the screen's exports go: the working folder at a terminal, a bounded per-session
folder when the screen is served to a web browser (``bptui --serve``).

A remote viewer pressing ``x`` must not fill the server's folder (issue 13: 300 presses wrote
300 files into the working folder). Served, every session (one app process per browser
connection) gets its own new folder under the system's temporary folder, holding at most
:data:`MAX_FILES` files and :data:`MAX_BYTES` bytes; when full, an export is refused with a
message. The folder is removed when the session's process ends, and a new session first
removes the folders of sessions whose process is gone (killed before it could clean up), so
the folders on the server are those of the sessions running now. The notice names the
folder; the file is also offered to the viewer's browser as a download.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from textual.app import App

from bptui import files
from bptui.i18n import _

MAX_FILES = 20
MAX_BYTES = 5_000_000


def is_served(app: App) -> bool:
    """Whether this app is shown in a web browser: the one test of it for the whole screen.

    Under ``bptui --serve`` each viewer's ``python -m bptui`` child runs on textual-serve's web
    driver, so ``app.is_web`` says so; ``app.served`` (BackpropApp's flag, False by default)
    lets a test act as a served app without a browser."""
    return bool(getattr(app, "served", False)) or app.is_web


def export_folder(app: App) -> tuple[Path, str]:
    """(the folder to export into, a note for the notice saying where that is).

    Raises BptuiError when a served session's folder is full."""
    if not is_served(app):
        return Path(getattr(app, "export_folder", None) or Path.cwd()), ""
    folder = getattr(app, "_session_folder", None)
    if folder is None:
        folder = files.new_session_folder(tempfile.gettempdir())
        app._session_folder = folder
    files.session_folder(folder, max_files=MAX_FILES, max_bytes=MAX_BYTES)
    return folder, _(" (this session's folder on the server, removed when the session ends: "
                     "at most {files} files, {mb} MB; also sent to your browser as a download)",
                     files=MAX_FILES, mb=MAX_BYTES // 1_000_000)


def offer_download(app: App, path: Path) -> None:
    """Send an exported file to the viewer's browser (served apps only)."""
    if app.is_web:
        app.deliver_text(path.open(encoding="utf-8"), save_filename=path.name,
                         open_method="download")
