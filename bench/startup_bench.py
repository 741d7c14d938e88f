"""Start-up: ``bptui mazur_2_2_2`` to its first full screen against a bare Textual app with
the same panels, and the command-line paths against ``python -c "import numpy"``.

Not a test: run ``python bench/startup_bench.py [--repeats N]`` from the repository root.

Screen: each run is a fresh process on a pseudo-terminal of 120x40 (Textual's real Linux
driver, not the headless one), started with ``python -c HOOK...``. The hook wraps
``Screen._compositor_refresh`` so that the first time a screen pushed by the app (not
Textual's empty default screen) is painted with its footer's keys showing, the process
writes the time and exits; the figure
is that time minus the moment the parent spawned the process (``time.monotonic`` is one clock
for all processes on Linux). The bptui side runs the ``bptui`` console script itself
(``runpy`` on it, with ``sys.argv = ["bptui", "mazur_2_2_2"]``); the reference side runs
:class:`BareApp` below: a header, five bordered Static panels in bptui's layout (equation on
top, network and updates on the left, values and loss on the right) and a footer, pushed as a
screen from ``on_mount`` as bptui does. Same hook, same clock, same terminal, interleaved.

Command line: ``bptui mazur_2_2_2 --check``, ``--trace`` and ``--train 1`` to exit, against
``python -c "import numpy"`` (bptui's unavoidable floor), interleaved, medians.

Targets: screen within 1.5x of the bare app; command-line paths within 1.2x of numpy.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PY = sys.executable  # --python picks another installation (e.g. a plain, non-editable one)
BPTUI = str(Path(PY).parent / "bptui")
SIZE = (120, 40)

#: Children run with bytecode caching on, as an installed bptui does: this environment sets
#: PYTHONDONTWRITEBYTECODE, which would make every run compile bptui's modules from source
#: (numpy's and Textual's .pyc files come with their wheels). The warm-up runs write them.
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

#: ... and outside the repository, so that ``python -c`` imports the installed bptui.
CHILD_CWD = tempfile.gettempdir()

HOOK = r"""
import os, time
from textual.screen import Screen
_out = os.environ["BPTUI_BENCH_FIRST_PAINT"]
_paint = Screen._compositor_refresh
def _first_paint(self):
    _paint(self)
    app = self.app
    if type(self) is Screen or self is not app.screen or getattr(app, "_bench_done", 0):
        return
    footers = list(self.query("Footer"))
    if all(footer.children for footer in footers):  # full: the footer shows its keys too
        app._bench_done = 1
        with open(_out, "w") as fh:
            fh.write(repr(time.monotonic()))
            if os.environ.get("BPTUI_BENCH_SHOW"):
                fh.write("\n" + "\n".join(s.text for s in self._compositor.render_strips()))
        app.exit()
Screen._compositor_refresh = _first_paint
import runpy, sys
"""



def bptui_child() -> str:
    return HOOK + f"""
sys.argv = ["bptui", "mazur_2_2_2"]
runpy.run_path({BPTUI!r}, run_name="__main__")
"""


def bare_child() -> str:
    return HOOK + f"""
sys.argv = [{str(Path(__file__).resolve())!r}, "--bare-app"]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def bare_app():
    """The reference app: imported only in its own child process (Textual and nothing else)."""
    from textual.app import App, ComposeResult
    from textual.containers import Horizontal, Vertical
    from textual.screen import Screen
    from textual.widgets import Footer, Header, Static

    lines = "\n".join(f"value {k}: {k * 0.123456789:.10g}" for k in range(1, 13))

    class BareScreen(Screen):
        BINDINGS = [("n", "step(1)", "Next"), ("p", "step(-1)", "Prev"),
                    ("right_square_bracket", "step(5)", "Phase"), ("r", "step(100)", "Run"),
                    ("k", "step(0)", "Quiz"), ("question_mark", "app.bell", "Help"),
                    ("q", "app.quit", "Quit")]

        def action_step(self, n: int) -> None:
            """Every panel gets new text (used by screen_bench.py's second reference)."""
            t = time.perf_counter()
            self.app.presses += n
            k = self.app.presses
            for panel in self.query("#main Static").results(Static):
                panel.update("\n".join(f"{panel.id} {j}: {k * j * 0.123456789:.10g}"
                                       for j in range(1, 13)))
            self.app.marks["view"] = time.perf_counter()
            self.app.marks["work"] = self.app.marks["view"] - t

        def compose(self) -> ComposeResult:
            yield Header()
            with Vertical(id="main"):
                yield Static(lines[:200], id="equation")
                with Horizontal(id="panels"):
                    with Vertical(id="left"):
                        yield Static(lines, id="network")
                        yield Static(lines, id="updates")
                    with Vertical(id="right"):
                        yield Static(lines, id="values")
                        yield Static(lines, id="loss")
            yield Footer()

        def on_mount(self) -> None:
            for panel in self.query(Static):
                panel.border_title = (panel.id or "").capitalize()

    class BareApp(App):
        CSS = """
        #main Static { border: round $primary 60%; padding: 0 1; }
        #main { height: 1fr; }
        #equation { height: auto; max-height: 12; }
        #panels { height: 1fr; }
        #left { width: 1fr; }
        #right { width: 44; }
        #network, #values { height: 1fr; }
        #updates { height: auto; max-height: 14; }
        #loss { height: 14; }
        """

        presses = 0
        marks: dict[str, float] = {}

        def on_mount(self) -> None:
            self.push_screen(BareScreen())

    return BareApp()


def first_paint(code: str, show: bool = False) -> tuple[float, float, str]:
    """Run ``python -c code`` on a fresh 120x40 pseudo-terminal: seconds from spawn to the
    first full screen, seconds to exit, and (if ``show``) the text of that screen."""
    fd, out = tempfile.mkstemp(prefix="bptui-bench-")
    os.close(fd)
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
    env = dict(CHILD_ENV, BPTUI_BENCH_FIRST_PAINT=out, TERM="xterm-256color",
               COLORTERM="truecolor")
    if show:
        env["BPTUI_BENCH_SHOW"] = "1"
    t0 = time.monotonic()
    proc = subprocess.Popen([PY, "-c", code], stdin=slave, stdout=slave, stderr=slave,
                            env=env, start_new_session=True, cwd=CHILD_CWD)
    os.close(slave)
    try:
        while True:  # keep the terminal drained so that the app never blocks writing
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                try:
                    if not os.read(master, 1 << 16):
                        break
                except OSError:  # EIO: the child closed the terminal
                    break
            elif proc.poll() is not None:
                break
            if time.monotonic() - t0 > 60:
                proc.kill()
                raise RuntimeError("the app did not paint within 60 s")
        proc.wait(10)
        t_exit = time.monotonic() - t0
    finally:
        os.close(master)
    text = Path(out).read_text()
    os.unlink(out)
    if not text:
        raise RuntimeError(f"no first paint recorded (exit code {proc.returncode})")
    stamp, _, screen = text.partition("\n")
    return float(stamp) - t0, t_exit, screen


def seconds(cmd: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env=CHILD_ENV, cwd=CHILD_CWD)
    return time.perf_counter() - t


def spread(xs: list[float]) -> str:
    return f"{min(xs) * 1e3:.0f}-{max(xs) * 1e3:.0f}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=9)
    ap.add_argument("--bare-app", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--show", action="store_true",
                    help="print the first screen of each app (checks that it is full)")
    ap.add_argument("--no-cli", action="store_true", help="only the screen start-up")
    ap.add_argument("--python", help="the Python of the installation to measure (default: "
                    "this one); its bptui script is the one next to it")
    args = ap.parse_args()
    global PY, BPTUI
    if args.python:
        PY = str(Path(args.python).absolute())
        BPTUI = str(Path(PY).parent / "bptui")
    BPTUI_CHILD, BARE_CHILD = bptui_child(), bare_child()
    if args.bare_app:
        bare_app().run()
        return 0
    if args.show:
        for name, code in (("bptui", BPTUI_CHILD), ("bare", BARE_CHILD)):
            paint, _, screen = first_paint(code, show=True)
            print(f"--- {name}: first full screen after {paint * 1e3:.0f} ms\n{screen}")
        return 0

    first_paint(BARE_CHILD)  # warm the file cache for both sides
    first_paint(BPTUI_CHILD)
    runs: dict[str, list[float]] = {"bptui": [], "bare": [], "bptui exit": [], "bare exit": []}
    for k in range(args.repeats):
        order = (("bptui", BPTUI_CHILD), ("bare", BARE_CHILD))
        for name, code in order if k % 2 == 0 else order[::-1]:
            paint, exit_, _ = first_paint(code)
            runs[name].append(paint)
            runs[name + " exit"].append(exit_)
    rows = [("screen: bptui mazur_2_2_2 to first full screen", runs["bptui"],
             "bare Textual app, header + 5 panels + footer", runs["bare"], 1.5)]

    if not args.no_cli:
        cli = {"numpy": [PY, "-c", "import numpy"],
               "--check": [BPTUI, "mazur_2_2_2", "--check"],
               "--trace": [BPTUI, "mazur_2_2_2", "--trace"],
               "--train 1": [BPTUI, "mazur_2_2_2", "--train", "1"]}
        for cmd in cli.values():
            seconds(cmd)
        times: dict[str, list[float]] = {name: [] for name in cli}
        names = list(cli)
        for k in range(args.repeats):
            for name in names[k % len(names):] + names[:k % len(names)]:
                times[name].append(seconds(cli[name]))
        for name in names[1:]:
            rows.append((f"command line: bptui mazur_2_2_2 {name}", times[name],
                         'python -c "import numpy"', times["numpy"], 1.2))

    print(f"{PY}: {args.repeats} interleaved "
          f"runs each, medians (min-max in brackets), pty {SIZE[0]}x{SIZE[1]}, "
          f"{os.cpu_count()} cores")
    print(f"{'what':<50} {'bptui':>18} {'reference':>18} {'ratio':>6}  target")
    for what, ours, ref_name, ref, target in rows:
        ratio = statistics.median(ours) / statistics.median(ref)
        print(f"{what:<50} {statistics.median(ours) * 1e3:6.0f}ms ({spread(ours):>9}) "
              f"{statistics.median(ref) * 1e3:6.0f}ms ({spread(ref):>9}) {ratio:6.2f}  "
              f"<= {target}  {'met' if ratio <= target else 'NOT met'}   (vs {ref_name})")
    print(f"(to process exit: bptui {statistics.median(runs['bptui exit']) * 1e3:.0f} ms, "
          f"bare {statistics.median(runs['bare exit']) * 1e3:.0f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
