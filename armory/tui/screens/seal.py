"""Seal evidence and hand it to an investigator.

After a live round or an injury the engine freezes the weapon and the lot
involved: the stop cannot be cleared until each is sealed (its seal id
recorded), and a sealed item moves only to a named investigator, with a
receipt. Both are signed like every other attesting action.
"""

from __future__ import annotations

from collections.abc import Callable

from armory.tui.screens.sign import SignModal, Signer

SEALERS = {"armorer", "assistant_armorer", "safety_officer"}


def unsealed_evidence(session, stop_seq: int) -> list[str]:
    """The items a stop froze that are not sealed yet."""
    sealed = session.sealed_items()
    return [item for item in session.evidence_for(stop_seq) if item not in sealed]


def item_kind(session, item: str) -> str:
    return "weapon" if any(w.id == item for w in session.production.weapon) else "lot"


def seal_evidence(app, stop_seq: int, on_done: Callable[[bool], None] | None = None) -> None:
    """Ask the seal id of every unsealed item the stop froze; one signature seals them all."""
    session = app.session
    items = unsealed_evidence(session, stop_seq)
    if not items:
        app.notify("Everything this stop froze is sealed.", title="Nothing to seal")
        if on_done:
            on_done(True)
        return
    stop = session.state.stops[stop_seq]
    day = session.state.current_day
    reason = stop.reason.split(". ", 1)[0]  # its first sentence: the whole is on the stop screen
    summary = [
        f"Stop #{stop_seq}: {reason if len(reason) <= 150 else reason[:149] + '…'}.",
        "Put each item in an evidence bag or box, close it with a numbered seal, and type the seal's number.",
        "A sealed item goes nowhere but to a named investigator, with a receipt.",
    ]
    fields = [(f"seal-{index}", f"Seal number on {item} ({item_kind(session, item)})")
              for index, item in enumerate(items)]

    def distinct_unused(values: dict[str, str]) -> dict[str, str]:
        """Every number checked before any item is sealed, so a refusal never leaves half the items sealed."""
        problems: dict[str, str] = {}
        seen: dict[str, str] = {}
        for index, item in enumerate(items):
            name = f"seal-{index}"
            number = values.get(name, "").strip()
            earlier = seen.get(number.casefold())
            if earlier is not None:
                problems[name] = f"the same number as {earlier}: each bag has its own seal"
                continue
            seen[number.casefold()] = item
            conflict = session.seal_conflict(item, number)
            if conflict:
                problems[name] = conflict
        return problems

    def signed(result) -> None:
        if result is None:
            if on_done:
                on_done(False)
            return
        def seal_all() -> None:
            for index, item in enumerate(items):
                session.seal(item_kind=item_kind(session, item), item=item, seal_id=result.fields[f"seal-{index}"],
                             signed_by=result.signed_by, incident_seq=stop.from_seq)

        app.attempt(seal_all, done=f"Sealed: {', '.join(items)}.", title="Evidence sealed", on_done=on_done)

    app.push_screen(SignModal(
        "Seal evidence", summary,
        [Signer("Who seals (armorer or safety officer)", app.crew_choices(day, SEALERS) or app.crew_choices(day),
                crew_id=app.operator)],
        purpose="seal", authenticate=app.authenticate, confirm_label="Sign and seal", extra_fields=fields,
        validate=distinct_unused),
        signed)


def hand_to_investigator(app) -> None:
    """Move one sealed item to a named investigator, with a receipt."""
    from armory.tui.screens.pick import PickModal

    session = app.session
    moved = session.state.transferred
    sealed = {item: seal for item, seal in session.sealed_items().items() if item not in moved}
    if not sealed:
        app.notify("Nothing is sealed and still here.", title="No sealed evidence")
        return
    if len(sealed) == 1:
        _transfer(app, *next(iter(sealed.items())))
        return
    choices = [(f"{item} (seal {seal})", (item, seal)) for item, seal in sealed.items()]
    app.push_screen(PickModal("Which sealed item goes to the investigator?", choices),
                    lambda chosen: _transfer(app, *chosen) if chosen else None)


def _transfer(app, item: str, seal_id: str) -> None:
    session = app.session
    day = session.state.current_day

    def signed(result) -> None:
        if result is None:
            return
        app.attempt(lambda: session.transfer_custody(
            item=item, seal_id=seal_id, investigator=result.fields["investigator"], agency=result.fields["agency"],
            receipt=result.fields["receipt"], signed_by=result.signed_by),
            done=f"{item} (seal {seal_id}) handed to {result.fields['investigator']}.", title="Custody recorded")

    app.push_screen(SignModal(
        f"Hand {item} to an investigator",
        [f"{item}, sealed under seal {seal_id}, leaves the set's custody.",
         "Check the seal is intact before it goes. The receipt number is what the investigator signs for."],
        [Signer("Handed over by", app.crew_choices(day, SEALERS) or app.crew_choices(day), crew_id=app.operator)],
        purpose="custody_transfer", authenticate=app.authenticate, confirm_label="Sign the handover",
        extra_fields=[("investigator", "Investigator's name"), ("agency", "Agency"),
                      ("receipt", "Receipt number")]), signed)
