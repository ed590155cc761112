"""How long `armory` takes from process start to its first screen painted, against a bare Textual app.

Both programs run as real processes in a pseudo-terminal of 80x24, as a
person starts them: the clock starts just before the fork and stops when the
terminal output holds the first screen's text (the production title and the
weapons table for armory; a marker row of the DataTable for the bare app).
The bare app is the baseline of the issue: a Textual App with Header,
DataTable and Footer, nothing else. The two alternate run by run, so machine
noise falls on both alike, and the medians are compared. Peak memory is each
child's maximum resident set size (VmHWM, read before it is stopped).

armory opens the bundled sample production on a ledger in a temporary
directory; the first run (which creates the ledger and enrolls the demo
PINs with argon2's default cost) is reported on its own and not counted.

A start usually paints the first screen as it was last drawn from the same
files and ledger head (armory.tui.firstscreen) and opens the session right
after; that is the figure compared. Also printed, so that nothing is hidden:
the first paint without that picture (the session opened first, as on the
first start or after any change), and the time until a key is answered (f1
typed as soon as the first screen shows, until the key list is on screen),
both ways.

    .venv/bin/python bench/startup.py [--runs 9]

Target: armory at most 1.5x the bare app.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import re
import select
import signal
import statistics
import struct
import sys
import tempfile
import termios
import time
from pathlib import Path

BARE_APP = """
from textual.app import App
from textual.widgets import DataTable, Footer, Header

class Bare(App):
    def compose(self):
        yield Header()
        yield DataTable()
        yield Footer()

    def on_mount(self):
        table = self.query_one(DataTable)
        table.add_columns("weapon", "state")
        table.add_row("BARE-MARKER", "ready")

Bare().run()
"""

F1 = b"\x1bOP"
HELP_MARKER = b"Keys on this screen"
ANSI = re.compile(rb"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[PX^_][^\x1b]*\x1b\\|[@-Z\\-_])")


def painted(argv: list[str], markers: list[bytes], env: dict[str, str], timeout: float = 30.0,
            then: tuple[bytes, bytes] | None = None):
    """Start argv in an 80x24 pty; return (seconds to all markers on screen, peak RSS in MiB).

    With ``then=(key, marker)``, the key is typed once the markers show, and the
    seconds returned are to ``marker`` on screen instead: the first key answered.
    """
    start = time.perf_counter()
    pid, fd = os.forkpty()
    if pid == 0:  # the child: become the program
        try:
            os.execve(argv[0], argv, env)
        finally:
            os._exit(127)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    seen = b""
    elapsed = None
    deadline = start + timeout
    try:
        while time.perf_counter() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
            text = ANSI.sub(b"", seen)
            if then is not None and markers and all(marker in text for marker in markers):
                os.write(fd, then[0])
                markers, seen = [], b""
                continue
            if then is not None and not markers:
                if then[1] in text:
                    elapsed = time.perf_counter() - start
                    break
                continue
            if all(marker in text for marker in markers):
                elapsed = time.perf_counter() - start
                break
    finally:
        peak = _peak_mib(pid)  # read before the kill: the program's own high-water mark
        os.kill(pid, signal.SIGKILL)
        _, _, usage = os.wait4(pid, 0)
        os.close(fd)
    if elapsed is None:
        tail = ANSI.sub(b"", seen)[-400:].decode("utf-8", "replace")
        raise SystemExit(f"{argv}: the first screen never showed {markers!r}; last output: {tail!r}")
    return elapsed, peak if peak is not None else usage.ru_maxrss / 1024  # ru_maxrss is in KiB on Linux


def _peak_mib(pid: int) -> float | None:
    """The child's peak resident set (VmHWM), in MiB; None where /proc cannot say.

    Not wait4()'s ru_maxrss: Linux carries that over exec from the forked copy of this process, so a
    bench that holds hundreds of MiB itself (an export measured before) would be counted as the child's."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()

    root = Path(__file__).resolve().parent.parent
    armory = Path(sys.executable).with_name("armory")
    if not armory.exists():
        raise SystemExit(f"{armory} not found: install the project first (pip install -e .)")
    with tempfile.TemporaryDirectory() as tmp:
        bare_script = Path(tmp) / "bare.py"
        bare_script.write_text(BARE_APP, encoding="utf-8")
        # As on a user's machine: Python writes and reuses bytecode (this sandbox turns that off).
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("TEXTUAL") and k != "PYTHONDONTWRITEBYTECODE"}
        env.update(TERM="xterm-256color", COLUMNS="80", LINES="24", HOME=tmp, XDG_DATA_HOME=tmp)
        ledger = str(Path(tmp) / "startup.sqlite")
        armory_argv = [str(armory), "--ledger", ledger]
        armory_markers = [b"Dust Creek", b"saa-1"]
        bare_argv = [sys.executable, str(bare_script)]

        first, first_rss = painted(armory_argv, armory_markers, env)
        print(f"first start (creates the ledger, enrolls 8 demo PINs at argon2's default cost): "
              f"{first * 1000:.0f} ms, peak {first_rss:.0f} MiB")
        painted(bare_argv, [b"BARE-MARKER"], env)  # warm the bare app's imports too

        picture = ledger + ".first-screen.json"
        armory_times, bare_times, armory_rss, bare_rss = [], [], [], []
        cold_times, ready_times, cold_ready_times = [], [], []
        for _ in range(args.runs):
            seconds, rss = painted(bare_argv, [b"BARE-MARKER"], env)
            bare_times.append(seconds)
            bare_rss.append(rss)
            # The usual start: the first screen as last drawn (armory.tui.firstscreen), then the session.
            seconds, rss = painted(armory_argv, armory_markers, env)
            armory_times.append(seconds)
            armory_rss.append(rss)
            ready_times.append(painted(armory_argv, armory_markers, env, then=(F1, HELP_MARKER))[0])
            # Without that picture (first start on a ledger, or anything changed): the session first.
            Path(picture).unlink(missing_ok=True)
            cold_times.append(painted(armory_argv, armory_markers, env)[0])
            Path(picture).unlink(missing_ok=True)
            cold_ready_times.append(painted(armory_argv, armory_markers, env, then=(F1, HELP_MARKER))[0])
            painted(armory_argv, armory_markers, env)  # draws the picture again for the next round
    ours, bare = statistics.median(armory_times), statistics.median(bare_times)
    cold = statistics.median(cold_times)
    ratio = ours / bare
    print(f"bare Textual app (Header, DataTable, Footer): {bare * 1000:6.0f} ms to first paint, "
          f"peak {max(bare_rss):.0f} MiB   (median of {args.runs})")
    print(f"armory on the sample production:              {ours * 1000:6.0f} ms to first paint, "
          f"peak {max(armory_rss):.0f} MiB   (median of {args.runs})")
    print(f"ratio armory / bare app: {ratio:.2f}x (target <= 1.5x) {'ok' if ratio <= 1.5 else 'NOT met'}")
    print(f"  without the first-screen picture (session opened first): {cold * 1000:.0f} ms = {cold / bare:.2f}x")
    print(f"  first key answered (f1 typed on the first screen, key list shown): "
          f"{statistics.median(ready_times) * 1000:.0f} ms; without the picture "
          f"{statistics.median(cold_ready_times) * 1000:.0f} ms")
    print(f"  runs, ms: armory {[round(t * 1000) for t in armory_times]}")
    print(f"            bare   {[round(t * 1000) for t in bare_times]}")
    print(f"            cold   {[round(t * 1000) for t in cold_times]}")
    _ = root
    return 0 if ratio <= 1.5 else 1


if __name__ == "__main__":
    sys.exit(main())
