"""The invariants of DESIGN.md, as data: ids, plain words, and the failures they prevent.

No rule file can switch these off. Each refusal or stop the engine makes on
its own carries one of these ids so the record, the drills and the faces can
say exactly which invariant acted and why it exists.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Invariant:
    id: str
    title: str
    why: str
    failures: tuple[str, ...]


_ALL = [
    Invariant(
        "invariant.live-round",
        "A round not shown to be a dummy or blank is live",
        "A round that cannot be confirmed as a dummy or a blank is treated as live, and live "
        "ammunition never belongs on set: every firearm of the production stops.",
        ("F1", "F2", "S1"),
    ),
    Invariant(
        "invariant.discharge",
        "A misfire or unintended discharge stops every firearm",
        "Earlier misfires on Rust were ignored; any misfire or unintended discharge stops every "
        "firearm until a safety officer has reviewed it and cleared the stop.",
        ("F5", "F11"),
    ),
    Invariant(
        "invariant.obstruction",
        "An obstructed bore stops the weapon",
        "On The Crow part of a dummy lodged in the barrel and the next blank fired it into Brandon "
        "Lee. A bore seen obstructed stops the weapon, whatever the rule that saw it says, until a "
        "safety officer clears it.",
        ("F9", "S1"),
    ),
    Invariant(
        "invariant.handler-only",
        "Only the armorer hands a firearm to an actor and takes it back",
        "On Rust the first assistant director took the revolver from a cart, called it cold and "
        "handed it over. Only an armorer or assistant armorer may hand a firearm to an actor or "
        "collect it.",
        ("F3", "S2"),
    ),
    Invariant(
        "invariant.checks-complete",
        "The weapon's checks for this setup must be complete, clear and recent",
        "A weapon goes to an actor only after every check for this setup has been answered and "
        "passed (or a hold signed off), recently enough that nothing can have changed.",
        ("F2", "F3"),
    ),
    Invariant(
        "invariant.day-start-signed",
        "The day-start checks are signed by the armorer before a firearm goes to an actor",
        "The day-start checks (the search for live rounds, the safety meeting, who guards the firearms "
        "at breaks, the armorer's one job) are the armorer's to answer for. The armorer's signature, "
        "with a PIN, says they were done as answered; no firearm goes to an actor on a day nobody has "
        "signed for.",
        ("F4", "F5", "F6"),
    ),
    Invariant(
        "invariant.rounds-verified",
        "Every round loaded is verified one by one and the count reconciles",
        "Rounds were not checked one by one on Rust. Each round going into the weapon must be "
        "shown to be a dummy or blank, and the number verified must equal the setup's load.",
        ("F2", "F1"),
    ),
    Invariant(
        "invariant.stop-open",
        "A stopped weapon goes nowhere but back to the armorer",
        "A stop holds until a safety officer records a clearance with a reason.",
        ("F5",),
    ),
    Invariant(
        "invariant.round-reconciliation",
        "Rounds out must equal rounds back plus rounds fired",
        "Every round is accounted for. A round that is not is a round nobody can vouch for.",
        ("F1", "F8"),
    ),
    Invariant(
        "invariant.sealed",
        "Sealed evidence moves only to a named investigator",
        "After Rust, rounds were binned and evidence was filed under another case. A sealed item "
        "moves only to a named investigator, with a receipt.",
        ("F8",),
    ),
    Invariant(
        "invariant.clearance-authority",
        "Only an independent safety officer clears a stop",
        "A stop is cleared by a safety officer who did not cause it and is not the first "
        "assistant director, with a reason on record.",
        ("F3", "F5"),
    ),
    Invariant(
        "invariant.day-open",
        "The day must be opened with the rules in force on record",
        "The rules in force are on record: checks and handoffs happen only on a day opened by an "
        "armorer, with each rule pack's version and hash recorded.",
        ("F8",),
    ),
    Invariant(
        "invariant.no-live-lot",
        "Live ammunition never belongs on set",
        "A production that lists live ammunition is rejected.",
        ("F1", "S1", "S2"),
    ),
    Invariant(
        "invariant.wrong-holder",
        "Only the person holding a weapon can hand it on",
        "The record of who holds each weapon must be unbroken.",
        ("F6", "F8"),
    ),
    Invariant(
        "invariant.sole-duty",
        "Whoever acts as armorer has no other job that day",
        "The Rust armorer was also assistant props master and was pulled onto other tasks; the law "
        "now says the armorer has no other duties while firearms are on set. A person acting as "
        "armorer with a second job is held at day start until a safety officer signs an override.",
        ("F4", "S2"),
    ),
    Invariant(
        "invariant.day-close",
        "A day closes only with every weapon back in the armory",
        "Custody is unbroken overnight: a weapon still with an actor when the day closes would be "
        "out of every record until someone remembered it. Take it back first (a lost weapon is an "
        "incident, and the day stays open until it is found).",
        ("F6", "F8"),
    ),
    Invariant(
        "invariant.injury-freeze",
        "After an injury or a live round the weapons involved are frozen as evidence",
        "After an injury or a live round the weapon and ammunition are sealed; they move only to "
        "a named investigator.",
        ("F8",),
    ),
]

INVARIANTS: dict[str, Invariant] = {inv.id: inv for inv in _ALL}


def invariant(invariant_id: str) -> Invariant:
    return INVARIANTS[invariant_id]


def failure_order(failure: str) -> tuple[str, int, str]:
    """F2 before F11: DOMAIN ids in the order DOMAIN.md lists them."""
    digits = "".join(ch for ch in failure if ch.isdigit())
    return (failure.rstrip("0123456789"), int(digits) if digits else 0, failure)
