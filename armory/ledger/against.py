"""Whether a verified chain extends an earlier file given by path: an export, a ledger or a checkpoint note.

A producer who kept an earlier export, or only the signed note of its head,
checks that a later file extends it and rewrote nothing. Each function here
returns what it found in words for the reader, and the first entry that
differs as ``(seq, kind, reason)``. The comparisons themselves are
:mod:`armory.ledger.extends`; this module reads the earlier file and words the result.
"""

from __future__ import annotations

from pathlib import Path

from armory.ledger.extends import check_against, check_against_note, read_note
from armory.ledger.verify import verify_file
from armory.problems import InputError


def signed_upto(result, before: int) -> str:
    """How much of the chain before a bad entry a signature vouches for (linked hashes alone can be recomputed)."""
    signed = min(result.signed_through, before)
    if signed:
        return f"of which #1-#{signed} are covered by a signed checkpoint that holds"
    return "none of them covered by a signed checkpoint that holds"


def compare_broken(result, earlier_path: Path) -> str:
    """One line comparing a chain that fails on its own with an earlier export, as far as the chain verifies."""
    note_text = read_note(earlier_path)
    if note_text is not None:
        bad = check_against_note(result, note_text, str(earlier_path), complete=False)
        if bad is None:
            return f"against {earlier_path}: the entries before the bad one match the head it signs"
        return f"FAILED against {earlier_path}: first entry that differs from it: #{bad[0]} ({bad[1]}): {bad[2]}"
    try:
        earlier, _ = verify_file(earlier_path)
    except InputError as err:
        return f"FAILED: --against {earlier_path} could not be compared: {err}"
    if not earlier.ok:
        seq, kind, reason = earlier.first_bad or (0, "?", "no entries")
        return f"FAILED: the earlier file {earlier_path} does not verify itself: #{seq} ({kind}): {reason}"
    bad = check_against(result, earlier, str(earlier_path), complete=False)
    if bad is not None:
        return f"FAILED against {earlier_path}: first entry that differs from it: #{bad[0]} ({bad[1]}): {bad[2]}"
    shared = min(result.entries, earlier.entries)
    return (f"against {earlier_path}: the {shared} entries before the bad one are the same as there; "
            f"it has {earlier.entries}")


def check_extends(result, earlier_path: Path):
    """(first bad entry, failure, note, earlier key) of checking ``result`` extends ``earlier_path``.

    EARLIER is an earlier export or ledger, or a checkpoint note kept on its own.
    """
    note_text = read_note(earlier_path)
    if note_text is not None:
        bad = check_against_note(result, note_text, str(earlier_path))
        if bad is not None:
            return bad, None, None, "?"
        size = note_text.split("\n")[1]
        return None, None, f"extends the head signed in {earlier_path} (#{size}, the same key) unchanged", \
            result.key_fingerprint
    earlier, _ = verify_file(earlier_path)
    if not earlier.ok:
        seq, kind, reason = earlier.first_bad or (0, "?", "no entries")
        return None, f"the earlier file {earlier_path} does not verify itself: #{seq} ({kind}): {reason}", None, \
            earlier.key_fingerprint
    bad = check_against(result, earlier, str(earlier_path))
    note = f"extends {earlier_path} ({earlier.entries} entries, the same key) unchanged" if bad is None else None
    return bad, None, note, earlier.key_fingerprint
