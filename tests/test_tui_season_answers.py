"""A season's ledger (issue 14): what each answer costs must not grow with the length of the season.

The session's fold of the ledger (every answer, stop and weapon of the season) is made when the app opens,
or when it replays the ledger after another process appended, and then kept. The garbage collector's full
passes, which come every few dozen answers while the screens draw, must not walk it: a pass that did would
make the answer it lands on wait in proportion to the season (armory.tui.heap). Counted, not timed: the
objects of the fold are not among those the collector walks.
"""

from __future__ import annotations

import gc

from armory.tui.app import ArmoryApp
from test_tui_day import answer_current, fixed_clock, open_day_to_checks
from test_tui_first_screen import copy_sample, misfire_elsewhere


def fold_objects(state) -> list:
    """The fold's objects the collector tracks: one answer, its observed values, each weapon, each stop."""
    found = [*state.answers.values(), *(a.observed for a in state.answers.values()), *state.weapons.values(),
             *state.stops.values()]
    return [o for o in found if gc.is_tracked(o)]


def walked(objects: list) -> int:
    """How many of ``objects`` are in the collector's generations (a full pass walks each of them)."""
    ids = {id(o) for o in objects}
    return sum(1 for o in gc.get_objects() if id(o) in ids)


async def test_the_collector_does_not_walk_the_fold_of_the_ledger(tmp_path):
    production, ledger = copy_sample(tmp_path), tmp_path / "l.sqlite"
    app = ArmoryApp(production, ledger, [], clock=fixed_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_day_to_checks(pilot, app)
        await answer_current(pilot, app)
    assert gc.get_freeze_count() == 0  # handed back on exit: nothing is kept past the app

    app = ArmoryApp(production, ledger, [], clock=fixed_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        fold = fold_objects(app.session.state)
        assert len(fold) > 20 and len(app.session.state.answers) >= 5
        assert walked(fold) == 0
        # An answer after the open is recorded and folded as ever; the fold made on open still is not walked.
        await answer_current(pilot, app)
        assert walked(fold) == 0

        # Another process appends: the app replays the ledger into a new fold, which is not walked either.
        misfire_elsewhere(production, ledger)
        app.follow_ledger()  # what the app's timer does every FOLLOW_SECONDS
        await pilot.pause()
        state = app.session.state
        assert state.open_stops
        assert walked(fold_objects(state)) == 0
        del fold
    assert gc.get_freeze_count() == 0


async def test_a_full_pass_due_waits_until_the_next_question_is_painted(tmp_path):
    from armory.tui.heap import FULL_PASS_DUE

    production, ledger = copy_sample(tmp_path), tmp_path / "l.sqlite"
    app = ArmoryApp(production, ledger, [], clock=fixed_clock)
    seen: list[tuple[str, str | None]] = []

    def current() -> str | None:
        item = getattr(app.screen, "current", None)
        return item.key if item is not None else None

    original_display = app._display

    def display(screen, renderable) -> None:
        original_display(screen, renderable)
        if renderable is not None:
            seen.append(("painted", current()))

    def full_pass(phase: str, info: dict) -> None:
        if phase == "start" and info["generation"] == 2:
            seen.append(("full pass", current()))

    app._display = display
    gc.callbacks.append(full_pass)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await open_day_to_checks(pilot, app)
            for _ in range(FULL_PASS_DUE):
                gc.collect(1)  # each counts towards the next full pass, as the screens' own allocations do
            asked = current()
            seen.clear()
            await answer_current(pilot, app)
            after = [event for event in seen if event[1] != asked]
            passes = [event for event in seen if event[0] == "full pass"]
            # One full pass, and only once the next question was on screen: the answer did not wait for it.
            assert len(passes) == 1
            assert after[0][0] == "painted" and passes[0][1] != asked
    finally:
        gc.callbacks.remove(full_pass)
