"""A drill's simulated clock never pushes a production's record.

The ledger keeps entry times in order across every scope: an entry whose clock
is behind the one before takes that entry's time and records the skew. A drill
run with ``--ledger`` on a production's ledger in use was moved past its last
entry by whole days, so it was stamped the next morning, and every real entry
after it took that future time (``#99 2026-11-30 07:08:00 MST ... clock ran
28306474 ms backwards``). A drill is now never written into a ledger holding a
production's own record, and never at a time later than the real clock.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from armory.checklist.session import Session
from armory.cli import main
from armory.drills import runner
from armory.drills.runner import DrillClock, run_drill
from armory.ledger.store import Ledger, format_time
from armory.paths import SAMPLE_PRODUCTIONS
from armory.problems import InputError

WESTERN = SAMPLE_PRODUCTIONS / "western"
LIVE_ROUND = WESTERN / "drills" / "live-round-among-dummies.toml"
DENVER = dt.timezone(dt.timedelta(hours=-7), "MST")  # late November in Denver
NOW = dt.datetime(2026, 11, 29, 23, 16, tzinfo=DENVER).astimezone(dt.timezone.utc)
"""The real clock in these tests: 23:16 local, the evening the tester ran the drill."""


@pytest.fixture(autouse=True)
def real_clock(monkeypatch):
    monkeypatch.setattr(runner, "real_now", lambda: NOW)


def _show_production(tmp_path: Path) -> Path:
    """A production of the tester's own: the Western copied to another file, not a sample, same title."""
    text = (WESTERN / "production.toml").read_text(encoding="utf-8")
    text = text.replace("sample = true", "sample = false")
    text = "\n".join(line for line in text.splitlines()
                     if not line.startswith(("demo_pin", "#:schema")))
    path = tmp_path / "show" / "production.toml"
    path.parent.mkdir(parents=True)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def _drill_copy(tmp_path: Path, source: Path, start: str | None, name: str | None = None) -> Path:
    """``source`` with its production named by absolute path, starting at ``start`` (local) when given."""
    text = source.read_text(encoding="utf-8")
    production = (source.parent / "../production.toml").resolve()
    text = text.replace('production = "../production.toml"', f'production = "{production}"')
    if start:
        text = text.replace("\n[drill]\n", f"\n[drill]\nstart = {start}\n", 1)
    path = tmp_path / (name or source.name)
    path.write_text(text, encoding="utf-8")
    return path


def _entries(ledger_path: Path):
    with Ledger.open(ledger_path, create=False, readonly=True) as ledger:
        return list(ledger.entries(scope=None))


def _local(stamp: str) -> dt.datetime:
    return dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(DENVER)


def _real_entry(ledger_path: Path, at: dt.datetime):
    with Ledger.open(ledger_path, clock=DrillClock(at)) as ledger:
        return ledger.append("note", "ana-reyes", {"text": "weapons back in the truck"})


def test_a_drill_on_a_productions_record_is_refused_and_real_time_stands(tmp_path, capsys):
    """The tester's steps: a real production's ledger in use, then `rules test --ledger` on it."""
    production = _show_production(tmp_path)
    ledger_path = tmp_path / "show" / "ledger.sqlite"
    session = Session.open(production, ledger_path, clock=DrillClock(NOW - dt.timedelta(minutes=10)))
    session.open_day("day-1", armorer="ana-reyes")
    session.close()
    before = _entries(ledger_path)

    code = main(["rules", "test", "--ledger", str(ledger_path), str(LIVE_ROUND)])

    assert code == 2
    err = capsys.readouterr().err
    assert "holds a production's own record" in err and "nothing was written" in err
    assert _entries(ledger_path) == before
    with pytest.raises(InputError, match="production's own record"):  # the runner refuses on its own too
        run_drill(LIVE_ROUND, ledger_path)
    assert _entries(ledger_path) == before

    later = NOW + dt.timedelta(minutes=5)
    entry = _real_entry(ledger_path, later)
    assert entry.time == format_time(later)
    assert entry.clock_skew_ms == 0
    assert not [e.seq for e in _entries(ledger_path) if e.clock_skew_ms or e.scope]


def test_a_drill_dated_after_the_real_clock_is_placed_before_it(tmp_path, capsys):
    drill = _drill_copy(tmp_path, LIVE_ROUND, "2026-11-30T07:00:00")  # tomorrow morning, by the real clock
    ledger_path = tmp_path / "drills.sqlite"

    code = main(["rules", "test", "--ledger", str(ledger_path), str(drill)])

    out = capsys.readouterr().out
    assert code == 0, out
    entries = _entries(ledger_path)
    assert all(e.time <= format_time(NOW) for e in entries)
    assert not [e.seq for e in entries if e.clock_skew_ms]
    steps = [_local(e.time) for e in entries if e.scope]
    assert steps[0] == dt.datetime(2026, 11, 29, 7, 1, tzinfo=DENVER)  # a whole day back: still 07:01 local

    later = NOW + dt.timedelta(minutes=1)
    entry = _real_entry(ledger_path, later)
    assert (entry.time, entry.clock_skew_ms) == (format_time(later), 0)


def test_drills_sharing_a_kept_ledger_all_fit_before_the_real_clock(tmp_path, capsys):
    # A real shoot's drills are dated on its days, ahead of today: each is moved back, the later ones last.
    first = _drill_copy(tmp_path, LIVE_ROUND, "2026-12-07T07:00:00", "first.toml")
    second = _drill_copy(tmp_path, WESTERN / "drills" / "clean-day.toml", "2026-12-07T07:00:00", "second.toml")
    ledger_path = tmp_path / "drills.sqlite"

    code = main(["rules", "test", "--ledger", str(ledger_path), str(first), str(second)])

    out = capsys.readouterr().out
    assert code == 0, out
    assert "2 passed, 0 failed" in out
    entries = _entries(ledger_path)
    assert not [e.seq for e in entries if e.clock_skew_ms]
    assert all(e.time <= format_time(NOW) for e in entries)
    runs: dict[str, list[dt.datetime]] = {}
    for e in entries:
        if e.scope:
            runs.setdefault(e.scope.split(":")[1], []).append(_local(e.time))
    assert runs["first"][0] == dt.datetime(2026, 11, 28, 7, 1, tzinfo=DENVER)
    assert runs["second"][0] == dt.datetime(2026, 11, 29, 7, 1, tzinfo=DENVER)


def test_no_room_before_the_real_clock_refuses_the_drill_instead_of_writing_ahead(tmp_path, capsys):
    # A ledger opened an hour ago (nothing recorded yet): a drill of 07:00 fits neither today (before that
    # entry) nor tomorrow (after the real clock).
    ledger_path = tmp_path / "new.sqlite"
    with Ledger.open(ledger_path, production_title="Dust Creek (sample)", clock=DrillClock(NOW - dt.timedelta(hours=1))):
        pass
    before = _entries(ledger_path)

    code = main(["rules", "test", "--ledger", str(ledger_path), str(LIVE_ROUND)])

    assert code == 2
    err = capsys.readouterr().err
    assert "never writes a time later than the real clock" in err
    assert re.search(r"after the last entry of \S+ \(2026-11-29 22:16 MST\) and by now \(2026-11-29 23:16 MST\)", err)
    assert _entries(ledger_path) == before
    with pytest.raises(InputError, match="no day fits it"):
        run_drill(LIVE_ROUND, ledger_path)
    assert _entries(ledger_path) == before


def test_an_exported_drill_ledger_still_takes_drills(tmp_path, capsys):
    # An export signs a checkpoint in the real scope: bookkeeping, not a production's record.
    ledger_path = tmp_path / "drills.sqlite"
    assert main(["rules", "test", "--ledger", str(ledger_path), str(LIVE_ROUND)]) == 0
    with Ledger.open(ledger_path, clock=DrillClock(NOW - dt.timedelta(days=2))) as ledger:
        ledger.checkpoint()
    capsys.readouterr()

    code = main(["rules", "test", "--ledger", str(ledger_path), str(LIVE_ROUND)])

    out = capsys.readouterr().out
    assert code == 0, out
    entries = _entries(ledger_path)
    assert not [e.seq for e in entries if e.clock_skew_ms]
    assert all(e.time <= format_time(NOW) for e in entries)
    assert _local(entries[-1].time).date() == dt.date(2026, 11, 28)  # the first morning after the checkpoint


def test_whole_days_are_local_days_across_a_change_of_dst():
    from armory.rulebook.loader import load_context

    drill = runner.load_drill(LIVE_ROUND)
    loaded, _packs = load_context(runner.production_path(LIVE_ROUND, drill), [])
    timing = runner._timing(LIVE_ROUND, drill, loaded.production)
    head = dt.datetime(2000, 7, 1, tzinfo=dt.timezone.utc)  # 30 June, 18:00 MDT
    start = runner._place(timing, head, NOW, LIVE_ROUND)
    assert start.astimezone(timing.tz).replace(tzinfo=None) == dt.datetime(2000, 7, 1, 7, 0)  # 07:00 MDT, not 08:00
