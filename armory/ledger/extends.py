"""Does this chain extend an earlier one: a head noted on a call sheet, an earlier export, a signed note.

A whole chain rewritten and re-signed with a new key verifies on its own; it
is caught here: by its key fingerprint, by a head noted earlier that must be
in the chain, by an earlier export that must be its prefix under the same
key, or by a checkpoint note kept from earlier that this chain's key signed.
"""

from __future__ import annotations

from pathlib import Path

from armory.ledger import signing
from armory.ledger.recompute import VerifyResult


def check_head(result: VerifyResult, head_text: str, *, complete: bool = True,
               upto: int | None = None) -> tuple[bool, str]:
    """Whether a head noted earlier (the call-sheet line, ``#N HEX`` or a hex prefix of at least 8) is in
    this chain, and if not, which it is: later than this file, past where the file breaks off, or not in
    this chain at all (:mod:`armory.ledger.head`)."""
    from armory.ledger.head import check_noted, parse_noted

    checked = check_noted(result, parse_noted(head_text), complete=complete, upto=upto)
    return checked.found, checked.message


def check_against(new: VerifyResult, earlier: VerifyResult, earlier_name: str, *,
                  complete: bool = True) -> tuple[int, str, str] | None:
    """The first way ``new`` fails to extend ``earlier`` (seq, kind, what), or None.

    ``complete=False``: ``new`` is only the part of a chain that verified before
    its first bad entry; compare what there is, and do not call it cut short.
    """
    if earlier.key_fingerprint != new.key_fingerprint:
        return (1, "ledger_opened",
                f"signed by key {new.key_fingerprint}, but {earlier_name} by key {earlier.key_fingerprint}: "
                "the chain was rewritten under another key, or these are different ledgers")
    for index, (ours, theirs) in enumerate(zip(new.hashes, earlier.hashes)):
        if ours != theirs:
            return (index + 1, new.kinds[index],
                    f"differs from entry #{index + 1} of {earlier_name} ({earlier.kinds[index]}, "
                    f"{theirs[:16]}… there, {ours[:16]}… here): the entry was rewritten")
    if complete and new.entries < earlier.entries:
        return (new.entries, new.last_kind,
                f"this chain ends at #{new.entries}, but {earlier_name} has {earlier.entries} entries: "
                f"entries were removed, or the two files were given the wrong way round: this file is a prefix "
                f"of {earlier_name}, so {earlier_name} may be the newer one (armory log verify NEWER --against "
                "EARLIER)")
    return None


def read_note(path: Path) -> str | None:
    """The text of ``path`` if it is a signed checkpoint note (as kept from a checkpoint entry), else None."""
    try:
        with open(path, "rb") as handle:
            start = handle.read(64)
            if not start.startswith(b"armory.ledger/"):
                return None
            return (start + handle.read()).decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def check_against_note(new: VerifyResult, note: str, name: str, *,
                       complete: bool = True) -> tuple[int, str, str] | None:
    """The first way ``new`` fails to extend the head a signed checkpoint note names, or None.

    ``complete=False``: ``new`` stops before its first bad entry (see ``check_against``).
    """
    try:
        parsed = signing.parse_and_verify_note(note, new.public_key)
    except ValueError as err:
        return (1, "ledger_opened", f"{name}: {err}: it was not signed with this chain's key "
                                    f"{new.key_fingerprint}; the chain was rewritten or is another ledger's")
    if parsed.size > new.entries:
        if not complete:
            return None
        return (new.entries, new.last_kind, f"{name} signs {parsed.size} entries, but this chain has "
                                            f"{new.entries}: entries were removed")
    if new.hashes[parsed.size - 1] != parsed.head_hash:
        return (parsed.size, new.kinds[parsed.size - 1],
                f"{name} signs {parsed.head_hash[:16]}… as head #{parsed.size}; this chain has "
                f"{new.hashes[parsed.size - 1][:16]}… there: the entries up to it were rewritten")
    return None
