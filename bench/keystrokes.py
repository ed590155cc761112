"""How many keys an armorer presses for the Western's clean day, phase by phase and per round.

Drives the real app with Pilot (headless, 80x24, a ledger on disk) through
the day of ``sample_productions/western/drills/clean-day.toml``: open the
day, the day-start checks, each setup's checks, every round, the handovers
(with the drill's witnesses), the take-backs and the close. Every key is
sent as a key press, as a person would type it: each character of an
answer or PIN, each arrow, Tab and Enter. Nothing is put in a field by
hand. Answers are the ones that pass (as ``passing_answer`` gives them).

    .venv/bin/python bench/keystrokes.py [--json FILE]

Goals (issue 16): each round verified once, at most 2 keys a round, and the
whole clean day in at most half of the keys it took before. The figures
measured before that work are in ``bench/keystrokes-before.json`` (380 keys,
8.3 a round, 4 round answers a round); each run prints its own beside them.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import sys
import tempfile
from collections import Counter
from pathlib import Path

os.environ.setdefault("ARMORY_ARGON2", "fast")  # PIN hashing is not what is measured here

DAY = "day-1"
ARMORER, FIRST_AD, OFFICER = "ana-reyes", "dan-hollis", "carla-diaz"
PINS = {"ana-reyes": "1111", "ben-cho": "2222", "carla-diaz": "3333", "dan-hollis": "4444",
        "eli-stone": "5555", "faye-moreno": "6666", "gus-park": "7777", "hana-wolfe": "8888"}
#: (scene, setup, weapon, witnesses) in the drill's order; the replica in 12a stays with props.
SETUPS = [("12", "12a", "saa-1", [FIRST_AD]), ("12", "12b", "saa-1", []),
          ("14", "14a", "saa-1", [FIRST_AD, OFFICER])]
#: Keys Pilot names differently from the character typed.
KEY_NAMES = {" ": "space", ",": "comma", ".": "full_stop", ":": "colon", "-": "minus", "(": "left_parenthesis",
             ")": "right_parenthesis", "'": "apostrophe", "/": "slash"}


def clock() -> dt.datetime:
    # Day 1 of the sample, early afternoon on set (America/Denver).
    return dt.datetime(2000, 1, 3, 20, 0, tzinfo=dt.timezone.utc)


class Driver:
    """Presses keys through Pilot and counts them under the phase being worked."""

    def __init__(self, app, pilot) -> None:
        self.app, self.pilot = app, pilot
        self.phase = "open"
        self.keys: Counter[str] = Counter()
        self.round_answers = 0
        self.rounds = 0

    async def press(self, *keys: str) -> None:
        for key in keys:
            self.keys[self.phase] += 1
            await self.pilot.press(key)
        await self.pilot.pause()

    async def type(self, text: str) -> None:
        await self.press(*[KEY_NAMES.get(ch, ch) for ch in text])

    @property
    def screen(self):
        return self.app.screen

    def expect(self, kind: type, doing: str) -> None:
        if not isinstance(self.screen, kind):
            raise SystemExit(f"bench: expected {kind.__name__} while {doing}, got {type(self.screen).__name__}")

    async def pick(self, options, index: int) -> None:
        """Choose option ``index`` of a list that opens with nothing highlighted, then Enter."""
        if getattr(options, "PICKS_BY_KEY", False):
            await self.press(str(index + 1) if index < 9 else "down", "enter")
        else:
            await self.press(*["down"] * (index + 1), "enter")

    async def sign(self, *, fields: dict[str, str] | None = None) -> None:
        """Fill a signing dialog as a person does, field by field from where the focus is: each value typed,
        then Enter, which goes to the next field; Enter in the last field signs (before that, the dialog
        needed Enter on its button too, which is pressed when the focus is on it)."""
        from textual.widgets import Button, Input, Select

        from armory.tui.screens.sign import SignModal

        self.expect(SignModal, "signing")
        modal = self.screen
        fields = fields or {}
        for _ in range(20):
            if self.screen is not modal:
                return
            focused = self.app.focused
            if isinstance(focused, Button) and focused.id == "confirm":
                await self.press("enter")  # on the button
                continue
            if not isinstance(focused, Input) or not focused.id:
                raise SystemExit(f"bench: {modal.title_text!r}: the focus is on {focused!r}, not a field to type")
            if focused.id.startswith("pin-"):
                who = modal.query_one(f"#who-{focused.id.removeprefix('pin-')}", Select).value
                value = PINS[str(who)]
            else:
                value = fields[focused.id.removeprefix("field-")]
            await self.type(value)
            await self.press("enter")
        raise SystemExit(f"bench: the dialog {modal.title_text!r} did not sign")


async def answer_checks(d: Driver) -> None:
    """Answer every question the checks screen asks, as a person would, until none is left."""
    from textual.widgets import OptionList

    from armory.checklist.judge import passing_answer
    from armory.tui.screens.checks import ChecksScreen
    from armory.tui.screens.sign import SignModal

    session = d.app.session
    asked = 0
    while isinstance(d.screen, ChecksScreen) and d.screen.current is not None:
        screen = d.screen
        item = screen.current
        asked += 1
        if asked > 200:
            raise SystemExit(f"bench: stuck on {item.rule.id}")
        group = getattr(screen, "round_group", None) or ()
        per_round = bool(item.per_round)
        phase = d.phase
        if per_round:
            d.phase = "rounds"
        if group:
            choices = screen.query_one("#choices", OptionList)
            index = next(i for i in range(choices.option_count)
                         if str(choices.get_option_at_index(i).id).startswith("pass-"))
            await d.pick(choices, index)
            d.round_answers += 1
        elif item.answer_kind in ("choice", "yes_no"):
            facts = session.facts(item.day, item.scene, item.setup, item.weapon)
            value = passing_answer(item.rule, facts, session.local_now())
            options = list(item.choices) if item.answer_kind == "choice" else ["yes", "no"]
            await d.pick(screen.query_one("#choices", OptionList), options.index(value))
            d.round_answers += per_round
        else:
            facts = session.facts(item.day, item.scene, item.setup, item.weapon)
            value = passing_answer(item.rule, facts, session.local_now())
            if item.answer_kind == "time":
                value = value.replace(":", "")  # 1300, as the field says it may be typed
            await d.type(value)
            await d.press("enter")
            d.round_answers += per_round
        d.phase = phase
        await confirm_again(d, item)
        if isinstance(d.screen, SignModal):  # the actor or the 1st AD signs their own answer
            await d.sign()


async def confirm_again(d: Driver, item) -> None:
    """An implausible value is asked again: the bench never types one, so nothing to do but notice."""
    from armory.tui.screens.stop import StopScreen

    if isinstance(d.screen, StopScreen):
        raise SystemExit(f"bench: a stop on the clean day ({item.rule.id}): {d.screen.stop.reason}")


async def to_board_row(d: Driver, scene: str, setup: str, weapon: str) -> None:
    from textual.widgets import DataTable

    from armory.tui.screens.board import BoardScreen

    d.expect(BoardScreen, "choosing a row")
    table = d.screen.query_one("#board", DataTable)
    keys = list(d.screen.rows)
    target = keys.index(f"{scene}|{setup}|{weapon}")
    while table.cursor_row != target:
        await d.press("down" if table.cursor_row < target else "up")


async def verify_rounds(d: Driver, scene: str, setup: str, weapon: str) -> None:
    from textual.widgets import OptionList

    from armory.tui.screens.rounds import RoundsScreen

    session = d.app.session
    issue = session.issue_of(DAY, scene, setup, weapon)
    try:
        from armory.checklist.round_checks import rounds_verified
    except ImportError:  # before each round was verified once
        done = session.state.rounds_for(DAY, scene, setup, weapon)
    else:
        done = rounds_verified(session, DAY, scene, setup, weapon)
    passed = {n for n, r in done.items() if r.verdict == "pass"}
    if not issue.rounds or len(passed) == issue.rounds:
        return  # verified once already (by the checks), or nothing to load
    d.phase = "rounds"
    await d.press("v")
    d.expect(RoundsScreen, "verifying rounds")
    methods = d.screen.query_one("#methods", OptionList)
    while methods.display:
        index = next(i for i in range(methods.option_count)
                     if methods.get_option_at_index(i).id not in ("unconfirmed", "live"))
        await d.pick(methods, index)
        d.round_answers += 1
    await d.press("escape")


async def hand_over(d: Driver, witnesses: list[str]) -> None:
    from textual.widgets import SelectionList

    from armory.tui.screens.handover import HandoverScreen

    d.phase = "handover"
    await d.press("h")
    d.expect(HandoverScreen, "handing over")
    screen = d.screen
    if witnesses:
        listing = screen.query_one("#witnesses", SelectionList)
        while not listing.has_focus:
            await d.press("tab")
        for crew_id in witnesses:
            target = next(i for i in range(listing.option_count) if listing.get_option_at_index(i).value == crew_id)
            if getattr(listing, "JUMPS_BY_LETTER", False):  # the first letter of the name, again if shared
                for _ in range(listing.option_count):
                    if listing.highlighted == target:
                        break
                    await d.press(d.app.crew_name(crew_id)[0].lower())
            if listing.highlighted is None:
                await d.press("down")
            while listing.highlighted != target:
                await d.press("down" if listing.highlighted < target else "up")
            await d.press("space")
    # The counts of those shown the load, typed in the signing dialog where it asks them (as they pass).
    from armory.checklist.judge import passing_answer

    session = d.app.session
    asked = screen.asked_here() if hasattr(screen, "asked_here") else []
    facts = session.facts(DAY, screen.scene, screen.setup, screen.weapon)
    counts = {f"count-{n}": passing_answer(item.rule, facts, session.local_now()) for n, item in enumerate(asked)}
    await d.press("f5")
    await d.sign(fields=counts)


async def take_back(d: Driver, returned: int) -> None:
    d.phase = "take_back"
    await d.press("t")
    await d.sign(fields={"fired": "0", "returned": str(returned)})


async def drive(app) -> Driver:
    from armory.tui.screens.board import BoardScreen
    from armory.tui.screens.checks import ChecksScreen
    from armory.tui.screens.home import HomeScreen

    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        d = Driver(app, pilot)
        d.expect(HomeScreen, "starting")
        await d.press("o", "s")
        await d.sign()
        d.phase = "day_start"
        d.expect(ChecksScreen, "after opening the day")
        await answer_checks(d)
        from armory.tui.screens.sign import SignModal

        if isinstance(d.screen, SignModal):  # the day-start checks end with the armorer's signature
            await d.sign()
        d.phase = "board"
        if not isinstance(d.screen, BoardScreen):
            await d.press("escape")
        if not isinstance(d.screen, BoardScreen):
            await d.press("b")
        for scene, setup, weapon, witnesses in SETUPS:
            issue = app.session.issue_of(DAY, scene, setup, weapon)
            d.rounds += issue.rounds
            d.phase = "board"
            await to_board_row(d, scene, setup, weapon)
            d.phase = "checks"
            await d.press("c")
            await answer_checks(d)
            await d.press("escape")
            await verify_rounds(d, scene, setup, weapon)
            await hand_over(d, witnesses)
            d.expect(BoardScreen, "after the handover")
            if app.session.state.weapons[weapon].holder != issue.actor:
                raise SystemExit(f"bench: {weapon} was not handed over in {setup}")
            await take_back(d, issue.rounds)
            if isinstance(d.screen, ChecksScreen):  # the weapon's on-return checks, asked after a take-back
                d.phase = "on_return"
                await answer_checks(d)
                await d.press("escape")
            d.expect(BoardScreen, "after the take-back")
            if app.session.state.open_stops:
                raise SystemExit(f"bench: a stop on the clean day: {app.session.state.open_stops[0].reason}")
        d.phase = "close"
        await d.press("e")
        await answer_checks(d)
        if not isinstance(d.screen, SignModal):
            await d.press("escape", "e")
        await d.sign()
        if DAY not in app.session.state.days_closed:
            raise SystemExit("bench: the day did not close")
        await d.press("enter")  # Done, under the head for the call sheet
    return d


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures to FILE as JSON")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from armory.paths import SAMPLE_PRODUCTION
    from armory.tui.app import ArmoryApp

    with tempfile.TemporaryDirectory() as tmp:
        try:  # keys are counted, not timed: nothing waits for a notice to be read
            app = ArmoryApp(SAMPLE_PRODUCTION, Path(tmp) / "bench.sqlite", clock=clock, fast_start=False,
                            key_guard=0)
        except TypeError:  # before the guard existed
            app = ArmoryApp(SAMPLE_PRODUCTION, Path(tmp) / "bench.sqlite", clock=clock, fast_start=False)
        d = asyncio.run(drive(app))
    total = sum(d.keys.values())
    per_round = d.keys["rounds"] / d.rounds
    for phase in ("open", "day_start", "board", "checks", "rounds", "handover", "take_back", "on_return", "close"):
        print(f"{phase:10} {d.keys[phase]:5} keys")
    print(f"{'total':10} {total:5} keys")
    print(f"rounds loaded: {d.rounds}; round answers: {d.round_answers} "
          f"({d.round_answers / d.rounds:.1f} a round); keys a round: {per_round:.1f}")
    before_path = Path(__file__).with_name("keystrokes-before.json")
    if before_path.exists():
        before = json.loads(before_path.read_text(encoding="utf-8"))
        print(f"before: {before['keys_total']} keys, {before['keys_per_round']} a round, "
              f"{before['round_answers_per_round']} round answers a round; now {total / before['keys_total']:.0%} "
              "of the keys")
    if args.json:
        args.json.write_text(json.dumps({
            "keys_total": total, "keys_per_round": round(per_round, 2),
            "round_answers_per_round": round(d.round_answers / d.rounds, 2),
            "keys_by_phase": dict(d.keys), "rounds": d.rounds}, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
