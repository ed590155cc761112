"""Correct a mistyped answer: a new entry that points at the old one, signed, with a reason.

A correction changes what was observed; it never lifts a stop or a hold
(the engine sees to that, and the screen says so before anyone signs).
"""

from __future__ import annotations

from armory.problems import InputError
from armory.tui.screens.pick import PickModal
from armory.tui.screens.sign import SignModal, Signer
from armory.tui.words import item_mark


def choose_and_correct(app, answered_items, day: str) -> None:
    if not answered_items:
        app.notify("Nothing answered here yet.", title="Nothing to correct")
        return
    choices = [(f"{item_mark(i.status)} {i.rule.title}: {', '.join(i.observed or ())}", i) for i in answered_items]
    app.push_screen(PickModal("Which answer was typed wrong?", choices),
                    lambda item: correct_item(app, item, day) if item is not None else None)


def correct_item(app, item, day: str) -> None:
    summary = [
        f"#{item.answer_seq} {item.rule.title} ({item.rule.id}): recorded {', '.join(item.observed or ())}",
        f"Asked: {item.question}",
        "The old answer stays on record, this one points at it; it never lifts a stop or a hold.",
    ]
    label = "Corrected answer" + (f" (one per round, comma separated, {item.per_round})" if item.per_round else "")

    def signed(result) -> None:
        if result is None:
            return
        raw = result.fields["observed"]
        observed = [part.strip() for part in raw.split(",")] if item.per_round else [raw]
        try:
            entry = app.session.correct(item.answer_seq, observed, reason=result.reason, by=result.signed_by[0])
        except InputError as err:
            app.report(err)
        else:
            app.notify(f"Entry #{item.answer_seq} corrected.", title="Corrected")
            screen = app.screen
            if hasattr(screen, "last_verdict"):  # the checks screen: say what the correction did, and did not
                shown = ", ".join(entry.payload.get("observed", observed))
                if item.status == "failed" and item.severity in ("stop", "hold"):
                    lifts = ("a safety officer overrides it (f3)" if item.severity == "hold"
                             else "a safety officer clears the stop")
                    screen.last_verdict = ("verdict-fail", f"✎ {item.rule.title}: corrected to {shown} "
                                           f"(entry #{entry.seq}). The failed {item.severity} stays open: a "
                                           f"correction never lifts it; it goes on only when {lifts}.")
                else:
                    verdict = "passes" if entry.payload.get("verdict") == "pass" else "FAILS"
                    screen.last_verdict = ("verdict-pass" if verdict == "passes" else "verdict-fail",
                                           f"✎ {item.rule.title}: corrected to {shown} (entry #{entry.seq}); "
                                           f"it {verdict}.")
        app.after_action()

    app.push_screen(SignModal(
        "Correct an answer", summary,
        [Signer("Who corrects it", app.crew_choices(day), crew_id=app.operator)],
        purpose="correct", authenticate=app.authenticate,
        reason_label="What went wrong", confirm_label="Sign correction",
        extra_fields=[("observed", label)]), signed)
