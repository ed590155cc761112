"""Evidence: what a live round or an injury freezes, the seals put on it, and its custody to an investigator.

A stop caused by a live round or an injury is cleared only once every item it froze is sealed
(:mod:`armory.checklist.stops`); each physical seal number is on one item only.
"""

from __future__ import annotations

from collections.abc import Sequence

from armory.checklist.base import SessionBase, one_action
from armory.checklist.types import invariant_reason
from armory.problems import InputError


class EvidenceActions(SessionBase):
    """What a live round or an injury freezes as evidence, its seals, and its custody passed to an investigator."""

    def evidence_for(self, stop_seq: int) -> list[str]:
        """Items frozen as evidence by a stop: the weapons and lots the live round or injury involved."""
        stop = self.state.stops.get(stop_seq)
        if stop is None or stop.cause not in ("invariant.live-round", "invariant.injury-freeze") or not stop.from_seq:
            return []
        source = self.ledger.get(stop.from_seq)
        if source is None:
            return []
        p = source.payload
        if source.kind == "incident":
            items = list(p.get("weapons") or [p.get("weapon")]) + list(p.get("lots") or [])
        elif source.kind == "round_verified":  # a round verified as live: its weapon and the lot it came from
            items = [p.get("weapon"), p.get("lot")]
        else:
            # A per-round check that could not confirm a round (a silent dummy, a live primer): the round
            # is pulled and bagged before the load goes on; nothing was fired, so nothing is sealed.
            items = []
        return list(dict.fromkeys(i for i in items if i))

    def sealed_items(self) -> dict[str, str]:
        """Item id -> seal id, for everything sealed in this scope."""
        return {e.payload["item"]: e.payload["seal_id"] for e in self.ledger.entries(scope=self.scope)
                if e.kind == "seal"}

    def seal_conflict(self, item: str, seal_id: str) -> str | None:
        """Why ``seal_id`` cannot seal ``item``: it is already on another item in this scope, else None.

        Each physical seal has its own number; one number on two bags would let either stand for the
        other when custody passes to an investigator. Numbers compare without case or surrounding spaces.
        A face sealing several items at once asks this of each before sealing any.
        """
        wanted = seal_id.strip().casefold()
        for entry in self.ledger.entries(scope=self.scope):
            if entry.kind != "seal":
                continue
            p = entry.payload
            if p["seal_id"].strip().casefold() == wanted and p["item"] != item:
                return (f"seal {p['seal_id']} is already on {p['item']} (entry {entry.seq}); each physical seal "
                        "has its own number: type the number on this item's seal")
        return None

    @one_action
    def seal(self, *, item_kind: str, item: str, seal_id: str, signed_by: Sequence[str],
             incident_seq: int | None = None):
        from armory.ledger.entries import Seal

        if item_kind == "weapon":
            self.weapon(item)
        elif item_kind == "lot" and self.production.lot_by_id(item) is None:
            raise InputError(f"unknown lot {item!r}")
        if not seal_id.strip():
            raise InputError("a seal needs the seal's id")
        conflict = self.seal_conflict(item, seal_id)
        if conflict:
            raise InputError(conflict)
        return self._append("seal", signed_by[0] if signed_by else None, Seal(
            item_kind=item_kind, item=item, seal_id=seal_id.strip(), incident_seq=incident_seq,
            signed_by=list(signed_by)))

    @one_action
    def transfer_custody(self, *, item: str, seal_id: str, investigator: str, agency: str, receipt: str,
                         signed_by: Sequence[str]):
        from armory.ledger.entries import CustodyTransfer

        if self.sealed_items().get(item) != seal_id:
            raise self._refuse("custody_transfer", signed_by[0] if signed_by else None, [invariant_reason(
                "invariant.sealed", f"{item} is not sealed under seal {seal_id!r}.")])
        if not (investigator.strip() and receipt.strip()):
            raise InputError("a custody transfer names the investigator and the receipt")
        return self._append("custody_transfer", signed_by[0] if signed_by else None, CustodyTransfer(
            item=item, seal_id=seal_id, investigator=investigator.strip(), agency=agency.strip(),
            receipt=receipt.strip(), signed_by=list(signed_by)))
