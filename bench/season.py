"""A season's record: the Western shot for about 270 days, 100,000 entries and more, then measured.

    .venv/bin/python bench/season.py [--days 270] [--out DIR] [--json FILE] [--skip-app]

Builds a production file from the sample Western (its crew, weapons and lots,
plus a spare revolver and blank lot for after the evidence is sealed) with
``--days`` shooting days written into it, and drives the real engine
(:class:`~armory.checklist.session.Session`, as the drill runner does) through
every one of them: day-start checks, each setup's checks answered by whoever
the rule asks, every round verified, handoffs, rounds fired, take-backs, the
on-return checks, end-of-day checks and the close. A season also goes wrong now
and then, as seasons do: returns that do not reconcile (a stop, cleared by the
safety officer), holds signed off, corrections, misfires (every firearm stops;
reviewed and cleared), and once an injury: the revolver and its lot sealed and
handed to an investigator, the spare used from then on.

Every entry goes through ``Session`` one by one, as on set; only the fsync per
entry is turned off while building (``PRAGMA synchronous = OFF``): the engine's
cost is what the build measures, not the disk's.

Then, in one run on one machine, the figures of issue 14 (ratios, so that a
noisy machine falls on both sides alike):

- exports (``bench/export.py``'s way: verify, sign, render, write, record) as a
  ratio of one ``json.dumps`` of the same entry dicts: jsonl, csv, html; the
  html's size; ``log verify`` of the html against that of the jsonl;
- answer -> next question painted (``bench/answer_latency.py``'s drive) in the
  app opened on a copy of the season's ledger, on an extra day kept for it;
- first paint of ``armory`` on the season (``bench/startup.py``'s pty runs)
  against a bare Textual app; the full redraw from the ledger (the first paint
  without last time's picture: the chain checked, the ledger replayed, the
  screen drawn); peak memory of those runs.

``--out DIR`` keeps the ledger (``season.db``) and its production
(``season.toml``); ``--json FILE`` writes the figures under the keys of the
issue.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import io
import json
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("ARMORY_ARGON2", "fast")  # PIN hashing is not what is measured here

BENCH_DAY = "bench"
"""An extra day after the season, never shot while building: the app's answers are measured on it."""
BENCH_SCENES = 15

# -- the production ---------------------------------------------------------------------------------------

SPARES = """
# After the injury the revolver and its blank lot go to the investigator; the spare takes over.
[[weapon]]
id = "saa-3"
kind = "revolver"
make = "Pietta"
model = "1873 Single Action Army"
serial = "PT29107"
caliber = ".45 Colt"
capacity = 6

[[lot]]
id = "b45-b"
kind = "blank"
caliber = ".45 Colt"
count = 50
supplier = "Sample Prop Supply"
received = 1999-12-20
label = ".45 COLT FULL-LOAD BLANKS LOT B45-B"

"""

LOCATIONS = ["Ranch set: main street", "Ranch set: corral", "Ranch set: church", "Ridge road", "Saloon stage",
             "Creek crossing", "Livery stable", "Mesa (second unit)"]


def _issue(weapon: str, actor: str, load: str, rounds: int = 0, lot: str | None = None) -> str:
    text = f'[[day.scene.setup.weapon]]\nweapon = "{weapon}"\nactor = "{actor}"\nload = "{load}"\n'
    if load != "cold":
        text += f'rounds = {rounds}\nlot = "{lot}"\n'
    return text


def day_text(n: int, date: dt.date, injured: bool) -> str:
    """One shooting day: eight scenes, two setups each, one or two weapons a setup (a mix of loads)."""
    rng = random.Random(n)
    revolver, blanks = ("saa-3", "b45-b") if injured else ("saa-2", "b45-a")
    parts = [f'[[day]]\nid = "day-{n}"\ndate = {date.isoformat()}\nlocation = "{rng.choice(LOCATIONS)}"\n']
    for s in range(1, 9):
        scene = f"{n}-{s}"
        kind = rng.choice(["dummies", "dummies", "blanks", "blanks", "cold", "rifle"])
        facts = {"dummies": '["holster_draw"]', "blanks": '["firing_sequence"]', "cold": "[]",
                 "rifle": '["firing_sequence"]'}[kind]
        parts.append(f'[[day.scene]]\nid = "{scene}"\ntitle = "Scene {scene}"\nfacts = {facts}\n')
        for letter in "ab":
            parts.append(f'[[day.scene.setup]]\nid = "{scene}{letter}"\n')
            if kind == "dummies":
                parts.append(_issue("saa-1", "eli-stone", "dummies", 6, "d45-a"))
            elif kind == "blanks":
                parts.append(_issue(revolver, "faye-moreno", "blanks", 5, blanks))
            elif kind == "cold":
                parts.append(_issue("saa-1", "eli-stone", "cold"))
                parts.append(_issue("replica-1", "faye-moreno", "cold"))
            else:
                parts.append(_issue("rifle-1", "eli-stone", "blanks", 8, "b4440-a"))
    return "\n".join(parts)


def bench_day_text(date: dt.date) -> str:
    parts = [f'[[day]]\nid = "{BENCH_DAY}"\ndate = {date.isoformat()}\n']
    for n in range(1, BENCH_SCENES + 1):
        parts.append(f'[[day.scene]]\nid = "s{n}"\n\n[[day.scene.setup]]\nid = "s{n}a"\n'
                     + _issue("saa-1", "eli-stone", "dummies", 6, "d45-a"))
    return "\n".join(parts)


def shooting_dates(count: int, start: dt.date = dt.date(2000, 1, 3)) -> list[dt.date]:
    """Weekdays from ``start``: a five-day week, as a season is shot."""
    dates, day = [], start
    while len(dates) < count:
        if day.weekday() < 5:
            dates.append(day)
        day += dt.timedelta(days=1)
    return dates


def injury_day(days: int) -> int:
    return max(2, days * 3 // 4)


def write_production(path: Path, days: int) -> list[tuple[str, dt.date]]:
    """The sample Western with ``days`` shooting days and the bench day; returns (day id, date) in order."""
    from armory.paths import SAMPLE_PRODUCTION

    text = SAMPLE_PRODUCTION.read_text(encoding="utf-8")
    head = text[: text.index("# -- shooting days")]
    head = head.replace('title = "Dust Creek (sample)"', 'title = "Dust Creek (season)"')
    head = head.replace("# -- ammunition", SPARES + "# -- ammunition", 1)
    dates = shooting_dates(days + 1)
    hurt = injury_day(days)
    body = [day_text(n, dates[n - 1], n > hurt) for n in range(1, days + 1)]
    body.append(bench_day_text(dates[-1]))
    path.write_text(head + "# -- shooting days " + "-" * 62 + "\n\n" + "\n".join(body), encoding="utf-8")
    return [(f"day-{n}", dates[n - 1]) for n in range(1, days + 1)]


# -- driving the engine -----------------------------------------------------------------------------------

class SeasonClock:
    """The season's clock: set to each day's call time, moved on by each action."""

    def __init__(self) -> None:
        self.now = dt.datetime(2000, 1, 3, 14, 0, tzinfo=dt.timezone.utc)

    def __call__(self) -> dt.datetime:
        return self.now

    def at(self, moment: dt.datetime) -> None:
        self.now = max(self.now, moment.astimezone(dt.timezone.utc))

    def tick(self, seconds: float = 20) -> None:
        self.now += dt.timedelta(seconds=seconds)


ARMORER, OFFICER, FIRST_AD = "ana-reyes", "carla-diaz", "dan-hollis"


class Season:
    """Plays a season through one Session."""

    def __init__(self, session, clock: SeasonClock, rng: random.Random) -> None:
        self.session = session
        self.clock = clock
        self.rng = rng
        self.counts: dict[str, int] = {}
        self.seal_no = 100

    def count(self, what: str) -> None:
        self.counts[what] = self.counts.get(what, 0) + 1

    def who_answers(self, item, day: str) -> str | None:
        asked = set(item.asked_of)
        if asked & {"armorer", "assistant_armorer"}:
            return ARMORER
        if "actor" in asked and item.weapon and item.scene:
            return self.session.issue_of(day, item.scene, item.setup, item.weapon).actor
        if "first_assistant_director" in asked:
            return FIRST_AD
        if "safety_officer" in asked:
            return OFFICER
        return next((m.id for m in self.session.production.crew if self.session.roles(m.id, day) & asked), None)

    def check(self, day: str, phase: str, scene: str | None = None, setup: str | None = None,
              weapon: str | None = None, *, wrong: str | None = None) -> None:
        """Answer every pending item of a phase with a passing answer (``wrong``: that rule fails once)."""
        from armory.checklist.judge import passing_answer

        session = self.session
        session.sense(day=day, phase=phase, scene=scene, setup=setup, weapon=weapon)
        for item in session.checklist(day=day, phase=phase, scene=scene, setup=setup, weapon=weapon):
            if item.sensed or item.status not in ("pending",):
                continue
            by = self.who_answers(item, day)
            if by is None:
                continue
            facts = session.facts(item.day, item.scene, item.setup, item.weapon)
            value = passing_answer(item.rule, facts, session.local_now())
            if value is None:
                continue
            self.clock.tick()
            if item.rule.id == wrong and item.answer_kind == "count" and not item.per_round:
                verdict = session.answer(item, [str(int(value) + 1)], by=by)
                self.count("wrong answers")
                if verdict.needs_override or (not verdict.passed and item.severity == "hold"):
                    self.clock.tick(120)
                    session.override(verdict.entry_seq, reason="Recounted with the safety officer: it was right",
                                     signed_by=[OFFICER])
                    self.count("overrides")
                elif not verdict.passed and item.severity == "stop":
                    self.clear_open("recounted with the safety officer; the count was a slip of the tongue")
                    session.answer(item, [value] * max(item.per_round, 1), by=by)
                elif verdict.passed is False:
                    session.answer(item, [value] * max(item.per_round, 1), by=by)
                else:
                    session.correct(verdict.entry_seq, [value], reason="mistyped", by=by)
                    self.count("corrections")
                continue
            session.answer(item, [value] * max(item.per_round, 1), by=by)

    def clear_open(self, reason: str) -> None:
        for stop in list(self.session.state.open_stops):
            self.clock.tick(300)
            self.session.clear_stop(stop.seq, reason=reason, officer=OFFICER)
            self.count("clearances")

    def review_all(self) -> None:
        for incident in list(self.session.state.unreviewed_incidents):
            self.clock.tick(300)
            self.session.review_incident(incident.seq, findings="Reviewed with the armorer and the 1st AD; "
                                         "the weapon inspected and cleared", signed_by=[OFFICER])
            self.count("reviews")

    def setup(self, day: str, scene: str, setup: str, issue, *, short_return: bool, misfire: bool,
              injury: bool, wrong: str | None) -> None:
        session = self.session
        weapon = issue.weapon
        self.check(day, "before_setup", scene, setup, weapon, wrong=wrong)
        if issue.rounds:
            method = "rattle" if issue.load == "dummies" else "crimped_blank"
            for round_no in range(1, issue.rounds + 1):
                self.clock.tick(10)
                session.verify_round(day=day, scene=scene, setup=setup, weapon=weapon, round_no=round_no,
                                     method=method, by=ARMORER)
        self.check(day, "before_handoff", scene, setup, weapon)
        self.clock.tick(60)
        receiver = issue.actor
        session.hand_over(day=day, scene=scene, setup=setup, weapon=weapon, giver=ARMORER, receiver=receiver,
                          witnesses=[FIRST_AD], signed_by=[ARMORER, receiver])
        self.count("handoffs")
        fired = 0
        if issue.load == "blanks":
            self.clock.tick(600)
            fired = issue.rounds - (1 if misfire else 0)
            session.record_fired(day=day, weapon=weapon, rounds=fired, by=ARMORER, scene=scene, setup=setup)
            if misfire:
                self.clock.tick(30)
                session.record_incident(incident="misfire", day=day, weapon=weapon, reported_by=ARMORER,
                                        description="One blank did not fire on the third take; the actor held "
                                                    "the muzzle down and waited as trained")
                self.count("misfires")
            if injury:
                self.clock.tick(30)
                session.record_incident(incident="injury", day=day, weapon=weapon, reported_by=ARMORER,
                                        description="A blank's wad grazed the boom operator's hand at the rail")
                self.count("injuries")
        else:
            self.clock.tick(900)
        returned = max(issue.rounds - fired, 0)
        if short_return and returned:
            returned -= 1
            self.count("short returns")
        self.clock.tick(60)
        session.take_back(day=day, weapon=weapon, giver=receiver, receiver=ARMORER,
                          rounds_fired=0, rounds_returned=returned, signed_by=[receiver, ARMORER])
        self.check(day, "on_return", scene, setup, weapon)
        if issue.load == "blanks":
            self.check(day, "after_firing", scene, setup, weapon)  # the bore seen clear after firing
        if injury:
            self.seal_evidence(day)
        if session.state.open_stops:
            self.check(day, "on_incident")
            self.review_all()
            self.clear_open("Found in the cart and inspected: a dummy" if short_return else
                            "Inspected with the armorer; cause understood and recorded")

    def seal_evidence(self, day: str) -> None:
        session = self.session
        self.check(day, "on_incident")
        for stop in session.state.open_stops:
            for item in session.evidence_for(stop.seq):
                if item in session.sealed_items():
                    continue
                self.seal_no += 1
                kind = "weapon" if session.production.weapon_by_id(item) else "lot"
                self.clock.tick(120)
                session.seal(item_kind=kind, item=item, seal_id=f"DC-{self.seal_no:04d}", signed_by=[ARMORER])
                self.count("seals")
                self.clock.tick(600)
                session.transfer_custody(item=item, seal_id=f"DC-{self.seal_no:04d}", investigator="Det. R. Alvarez",
                                         agency="County Sheriff (sample)", receipt=f"CS-2000-{self.seal_no:04d}",
                                         signed_by=[ARMORER])
                self.count("custody transfers")

    def day(self, n: int, day: str, date: dt.date, *, injury_on: int) -> None:
        session = self.session
        rng = self.rng
        self.clock.at(dt.datetime.combine(date, dt.time(6, 30), tzinfo=session.tz))
        session.open_day(day, armorer=ARMORER)
        self.check(day, "day_start")
        model = session.day(day)
        setups = [(scene.id, setup.id, issue) for scene in model.scene for setup in scene.setup
                  for issue in setup.weapon]
        firing = [i for i, (_sc, _st, issue) in enumerate(setups) if issue.load == "blanks"]
        misfire_at = rng.choice(firing) if firing and rng.random() < 0.12 else None
        injury_at = firing[0] if firing and n == injury_on else None
        for i, (scene, setup, issue) in enumerate(setups):
            if issue.weapon in session.state.seals or issue.lot in session.state.sealed_lots:
                self.count("setups skipped: evidence sealed")
                continue  # the rest of the injury day's shots with that revolver are not shot
            wrong = None
            if rng.random() < 0.08:
                wrong = rng.choice(["rounds.rounds-loaded", "handling.chamber-count", "rounds.loose-rounds"])
            self.setup(day, scene, setup, issue, short_return=rng.random() < 0.03 and issue.load == "dummies",
                       misfire=i == misfire_at, injury=i == injury_at, wrong=wrong)
        self.clock.tick(900)
        self.check(day, "end_of_day")
        self.review_all()
        self.clear_open("End of day: inspected with the armorer, cause recorded")
        session.close_day(day, by=ARMORER)


def build(folder: Path, days: int, *, progress=None) -> tuple[Path, Path, dict[str, int], float]:
    """Write the production and drive the engine through the season; (production, ledger, counts, seconds)."""
    from armory.checklist.session import Session

    production = folder / "season.toml"
    ledger_path = folder / "season.db"
    for stale in folder.glob("season.db*"):
        stale.unlink()
    dates = write_production(production, days)
    clock = SeasonClock()
    session = Session.open(production, ledger_path, clock=clock)
    # The engine's cost is measured, not the disk's: no fsync per entry while the fixture is built.
    session.ledger._conn.execute("PRAGMA synchronous = OFF")
    season = Season(session, clock, random.Random(14))
    started = time.perf_counter()
    try:
        for n, (day, date) in enumerate(dates, start=1):
            season.day(n, day, date, injury_on=injury_day(days))
            if progress:
                progress(n, len(dates), len(session.ledger))
    finally:
        session.ledger._conn.execute("PRAGMA synchronous = FULL")
        took = time.perf_counter() - started
        session.close()
    return production, ledger_path, season.counts, took


def copy_ledger(ledger_path: Path, to: Path) -> Path:
    """A copy of the ledger and its signing key, so that a measure may append to it and leave the season as built."""
    from armory.ledger.signing import default_key_path

    for source, target in [(ledger_path.with_name(ledger_path.name + suffix), to.with_name(to.name + suffix))
                           for suffix in ("", "-wal", "-shm")] + [(default_key_path(ledger_path), default_key_path(to))]:
        if source.exists():
            shutil.copyfile(source, target)
            target.chmod(0o600)  # as armory keeps a ledger and its key: private (else the app warns first)
    return to


def measure_exports(production: Path, ledger_path: Path, folder: Path) -> dict:
    """bench/export.py's figures on the season, and ``log verify`` of its html against its jsonl."""
    from export import time_exports

    from armory.ledger.store import Ledger
    from armory.ledger.verify import verify_file

    with Ledger.open(copy_ledger(ledger_path, folder / "exports.db")) as ledger:
        figures = time_exports(ledger, folder)  # as `armory export` without --production: names from the chain
    for fmt in ("jsonl", "html"):
        started = time.perf_counter()
        result, _kind = verify_file(figures[fmt][2])
        figures[f"verify_{fmt}_s"] = time.perf_counter() - started
        if not result.ok:
            raise SystemExit(f"log verify of the season's {fmt} failed: {result.first_bad}")
    return figures


def measure_answers(production: Path, ledger_path: Path, folder: Path, answers: int) -> list[float]:
    """answer -> next question painted, in the app opened on a copy of the season's ledger (its bench day)."""
    from answer_latency import drive

    from armory.tui.app import ArmoryApp

    text = production.read_text(encoding="utf-8")
    marker = f'[[day]]\nid = "{BENCH_DAY}"\ndate = '
    date = dt.date.fromisoformat(text[text.index(marker) + len(marker):][:10])

    def clock() -> dt.datetime:
        return dt.datetime.combine(date, dt.time(20, 0), tzinfo=dt.timezone.utc)

    app = ArmoryApp(production, copy_ledger(ledger_path, folder / "answers.db"), clock=clock)
    return [s * 1000 for s in asyncio.run(drive(app, answers))]


def measure_startup(production: Path, ledger_path: Path, folder: Path, runs: int) -> dict:
    """startup.py's pty runs on the season: first paint against a bare Textual app, the session's redraw, RSS."""
    from startup import BARE_APP, F1, HELP_MARKER, painted

    armory = Path(sys.executable).with_name("armory")
    bare_script = folder / "bare.py"
    bare_script.write_text(BARE_APP, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL") and k != "PYTHONDONTWRITEBYTECODE"}
    env.update(TERM="xterm-256color", COLUMNS="80", LINES="24", HOME=str(folder), XDG_DATA_HOME=str(folder))
    ledger = copy_ledger(ledger_path, folder / "startup.db")
    argv = [str(armory), "--ledger", str(ledger), "--production", str(production)]
    markers = [b"Dust Creek", b"saa-1"]
    bare_argv = [sys.executable, str(bare_script)]
    # The first start draws the first-screen picture and saves the fold for the runs after it (a key answered:
    # it is past its open, and the fold written just after the first paint).
    painted(argv, markers, env, timeout=120, then=(F1, HELP_MARKER))
    painted(bare_argv, [b"BARE-MARKER"], env)
    bare, ours, ready, cold, rss = [], [], [], [], []
    picture = Path(str(ledger) + ".first-screen.json")
    for _ in range(runs):
        bare.append(painted(bare_argv, [b"BARE-MARKER"], env)[0])
        seconds, peak = painted(argv, markers, env, timeout=120)
        ours.append(seconds)
        # The session opened, the screen drawn again from the ledger: f1 is answered only after that.
        seconds, peak = painted(argv, markers, env, timeout=120, then=(F1, HELP_MARKER))
        ready.append(seconds)
        rss.append(peak)
        picture.unlink(missing_ok=True)
        seconds, peak = painted(argv, markers, env, timeout=120)
        cold.append(seconds)
        rss.append(peak)
    return {"bare_s": statistics.median(bare), "first_paint_s": statistics.median(ours),
            "ready_s": statistics.median(ready), "cold_s": statistics.median(cold), "peak_rss_mib": max(rss)}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=270)
    parser.add_argument("--out", type=Path, help="keep season.db and season.toml in this directory")
    parser.add_argument("--ledger", type=Path, help="measure this season (season.db beside its season.toml) "
                        "instead of building one")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument("--answers", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5, help="pty starts of each kind")
    parser.add_argument("--skip-app", action="store_true", help="build and measure the exports only")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        if args.ledger:
            ledger_path, production = args.ledger, args.ledger.with_suffix(".toml")
        else:
            folder = args.out or tmp / "season"
            folder.mkdir(parents=True, exist_ok=True)

            def progress(n: int, total: int, entries: int) -> None:
                if sys.stderr.isatty():
                    print(f"\rday {n}/{total}: {entries:,} entries", end="", file=sys.stderr, flush=True)

            production, ledger_path, counts, took = build(folder, args.days, progress=progress)
            if sys.stderr.isatty():
                print(file=sys.stderr)
            entries = _count(ledger_path)
            print(f"built a season of {args.days} days, {entries:,} entries through the engine in {took:.1f} s "
                  f"({took / entries * 1e6:.0f} us an entry)")
            print("  " + ", ".join(f"{what} {n}" for what, n in sorted(counts.items())))
        figures: dict[str, float] = {}
        exports = measure_exports(production, ledger_path, tmp)
        base = exports["baseline_s"]
        figures.update(
            jsonl_vs_json_dumps=exports["jsonl"][0] / base, csv_vs_json_dumps=exports["csv"][0] / base,
            html_vs_json_dumps=exports["html"][0] / base, html_mb=exports["html"][1] / 1e6,
            verify_html_vs_jsonl=exports["verify_html_s"] / exports["verify_jsonl_s"])
        if not args.skip_app:
            ms = measure_answers(production, ledger_path, tmp, args.answers)
            figures.update(answer_p50_ms=percentile(ms, 0.5), answer_p99_ms=percentile(ms, 0.99))
            start = measure_startup(production, ledger_path, tmp, args.runs)
            figures.update(open_first_paint_vs_bare_textual=start["first_paint_s"] / start["bare_s"],
                           open_full_redraw_s=start["ready_s"], peak_rss_mib=start["peak_rss_mib"])
        print()
        print(f"{'figure':<34}{'value':>10}  {'target':<10} detail")
        rows = [
            ("jsonl_vs_json_dumps", "<= 2", f"{exports['jsonl'][0]:.2f} s vs json.dumps {base:.2f} s"),
            ("csv_vs_json_dumps", "<= 3", f"{exports['csv'][0]:.2f} s"),
            ("html_vs_json_dumps", "<= 5", f"{exports['html'][0]:.2f} s"),
            ("html_mb", "<= 20", f"jsonl {exports['jsonl'][1] / 1e6:.1f} MB, csv {exports['csv'][1] / 1e6:.1f} MB"),
            ("verify_html_vs_jsonl", "<= 3", f"log verify: html {exports['verify_html_s']:.2f} s, "
                                              f"jsonl {exports['verify_jsonl_s']:.2f} s"),
        ]
        if not args.skip_app:
            rows += [
                ("answer_p50_ms", "", f"{len(ms)} answers on the season's ledger"),
                ("answer_p99_ms", "< 16", f"max {max(ms):.1f} ms"),
                ("open_first_paint_vs_bare_textual", "<= 1.5",
                 f"{start['first_paint_s'] * 1000:.0f} ms vs bare {start['bare_s'] * 1000:.0f} ms"),
                ("open_full_redraw_s", "< 1", f"start to a key answered on the screen drawn from the ledger; "
                                              f"without the picture {start['cold_s']:.2f} s to first paint"),
                ("peak_rss_mib", "< 150", "armory on the season, session open"),
            ]
        for key, target, detail in rows:
            print(f"{key:<34}{figures[key]:>10.2f}  {target:<10} {detail}")
        if args.json:
            args.json.write_text(json.dumps({k: round(v, 3) for k, v in figures.items()}, indent=2) + "\n",
                                 encoding="utf-8")
    return 0


def _count(ledger_path: Path) -> int:
    from armory.ledger.store import Ledger

    with Ledger.open(ledger_path, readonly=True) as ledger:
        return len(ledger)


if __name__ == "__main__":
    sys.exit(main())
