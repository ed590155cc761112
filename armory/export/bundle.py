"""The evidence bundle for one incident: the same files for the investigator, the prosecution and the defence.

After *Rust*, evidence about the source of the live rounds was filed under
another case and withheld from the defence, and the case was dismissed for
it (DOMAIN F8). So the bundle never selects: it carries the whole chain up to
a signed checkpoint written after the incident (``chain.jsonl``), and the
index of what touches the incident (``index.json``) is a pure function of
that chain, :func:`build_index`, which anyone can recompute:
:func:`verify_index` (``armory log verify chain.jsonl --index index.json``)
names every entry the index leaves out or adds.

What "touches" means is fixed here and stated in the bundle's README: the
weapons and lots involved (the incident's weapon, every item sealed for it,
the lots whose rounds were verified for those weapons that day), the people
involved (who reported it, everyone who gave, received, witnessed or signed
for those weapons that day, who sealed or took custody), and every entry of
the incident's scope (its drill run, or the main record) that names any of
them or refers to the incident.

This module is that contract (the index, its check, the bundle's check);
:mod:`armory.export.bundle_write` writes the files.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Iterable, Sequence

from armory.export.clean import as_int, clean_all
from armory.problems import InputError

INDEX_FORMAT = "armory-evidence-index/1"
PERSON_FIELDS = ("giver", "receiver", "actor", "crew_id", "reported_by", "caused_by", "authorized_by")
PEOPLE_LIST_FIELDS = ("witnesses", "signed_by")
REFERENCE_FIELDS = ("from_seq", "incident_seq", "stop_seq", "answer_seq", "corrects_seq")


def _payload(entry: dict) -> dict:
    payload = entry.get("payload")
    return payload if isinstance(payload, dict) else {}


def find_incident(chain: Sequence[dict], incident_seq: int, *, asked: str | None = None,
                  where: str = "this ledger") -> dict:
    """The incident entry ``incident_seq``; ``asked`` says who named it in a refusal (default ``--incident N``)."""
    asked = asked if asked is not None else f"--incident {incident_seq}"
    for entry in chain:
        if entry.get("seq") == incident_seq:
            if entry.get("kind") != "incident":
                raise InputError(f"{asked}: entry #{incident_seq} is {_article(str(entry.get('kind')))} "
                                 f"{entry.get('kind')} entry, not an incident; {_incidents_listed(chain)}")
            return entry
    raise InputError(f"{asked}: no entry #{incident_seq} in {where}; {_incidents_listed(chain)}")


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _incidents_listed(chain: Sequence[dict]) -> str:
    found = [f"#{e.get('seq')} ({_payload(e).get('incident')})" for e in chain if e.get("kind") == "incident"]
    return f"incidents recorded: {', '.join(found)}" if found else "no incident is recorded in it"


def involved(chain: Sequence[dict], incident: dict) -> tuple[list[str], list[str], list[str]]:
    """(weapons, lots, people) involved in ``incident``, from the chain alone."""
    seq = incident["seq"]
    p = _payload(incident)
    day = p.get("day")
    weapons: set[str] = {p["weapon"]} if p.get("weapon") else set()
    lots: set[str] = set()
    people: set[str] = {str(x) for x in (p.get("reported_by"), incident.get("who")) if x}
    for entry in chain:
        q = _payload(entry)
        if entry.get("kind") == "seal" and q.get("incident_seq") == seq:
            (weapons if q.get("item_kind") == "weapon" else lots).add(str(q.get("item")))
    for entry in chain:
        q = _payload(entry)
        kind = entry.get("kind")
        on_day = day is None or q.get("day") == day
        if kind == "round_verified" and on_day and q.get("weapon") in weapons and q.get("lot"):
            lots.add(str(q["lot"]))
        if kind in ("handoff", "return") and on_day and q.get("weapon") in weapons:
            people.update(str(q[f]) for f in ("giver", "receiver") if q.get(f))
            for f in PEOPLE_LIST_FIELDS:
                people.update(str(x) for x in q.get(f) or [])
        if kind in ("seal", "custody_transfer") and (q.get("item") in weapons | lots or q.get("incident_seq") == seq):
            people.update(str(x) for x in q.get("signed_by") or [])
            if entry.get("who"):
                people.add(str(entry["who"]))
    return sorted(weapons), sorted(lots), sorted(people)


def _subjects(entry: dict) -> set[str]:
    """Every subject an entry names: ``weapon:ID``, ``lot:ID``, ``person:ID``, ``ref:SEQ``."""
    q = _payload(entry)
    found: set[str] = set()
    if q.get("weapon"):
        found.add(f"weapon:{q['weapon']}")
    for w in q.get("weapons") or []:
        found.add(f"weapon:{w}")
    if q.get("lot"):
        found.add(f"lot:{q['lot']}")
    if q.get("item"):
        found.add(f"{'lot' if q.get('item_kind') == 'lot' else 'weapon'}:{q['item']}")
    if entry.get("who"):
        found.add(f"person:{entry['who']}")
    for f in PERSON_FIELDS:
        if isinstance(q.get(f), str):
            found.add(f"person:{q[f]}")
    for f in PEOPLE_LIST_FIELDS:
        for person in q.get(f) or []:
            found.add(f"person:{person}")
    if isinstance(q.get("investigator"), str):
        found.add(f"person:{q['investigator']}")
    for f in REFERENCE_FIELDS:
        if isinstance(q.get(f), int):
            found.add(f"ref:{q[f]}")
    return found


def build_index(chain: Sequence[dict], incident_seq: int) -> dict:
    """The bundle's index: a pure function of the chain and the incident's sequence number."""
    chain = clean_all(chain)
    incident = find_incident(chain, incident_seq)
    run = in_scope(chain, incident)  # the incident's own run: other drill runs on the ledger touch nothing
    weapons, lots, people = involved(run, incident)
    by_subject: dict[str, list[int]] = {f"weapon:{w}": [] for w in weapons}
    by_subject.update({f"lot:{x}": [] for x in lots})
    by_subject.update({f"person:{x}": [] for x in people})
    by_subject[f"ref:{incident_seq}"] = []
    # An entry that refers to an indexed one is indexed too (the clearance of the incident's stop, ...).
    indexed: set[int] = set()
    for entry in run:
        seq = as_int(entry.get("seq"))
        names = _subjects(entry)
        if seq == incident_seq:
            names.add(f"ref:{incident_seq}")
        hits = [key for key in names if key in by_subject]
        refs = [key for key in names if key.startswith("ref:") and int(key[4:]) in indexed]
        if hits or refs:
            indexed.add(seq)
            for key in hits:
                by_subject[key].append(seq)
    chain_head = chain[-1] if chain else {}
    return {
        "format": INDEX_FORMAT,
        "incident": {
            "seq": incident_seq,
            "incident": _payload(incident).get("incident"),
            "day": _payload(incident).get("day"),
            "time": incident.get("time"),
            "hash": incident.get("hash"),
        },
        "chain": {"file": "chain.jsonl", "entries": len(chain), "head_hash": chain_head.get("hash")},
        "involved": {"weapons": weapons, "lots": lots, "people": people},
        "entries": sorted(indexed),
        "by_subject": by_subject,
        "custody": custody_chains(run, weapons, lots, incident_seq),
    }


def in_scope(chain: Sequence[dict], incident: dict) -> list[dict]:
    """The entries of the incident's scope: its drill run, or the main record (scope "").

    Several drill runs may share one ledger file, each in a fresh state of its own; the same weapon, lot and
    people appear in every run. What touches an incident is what happened in its own run.
    """
    scope = incident.get("scope") or ""
    return [entry for entry in chain if (entry.get("scope") or "") == scope]


def custody_chains(chain: Sequence[dict], weapons: Iterable[str], lots: Iterable[str], incident_seq: int) -> dict:
    """For each sealed item: its seal and every custody transfer after it, in order."""
    items = set(weapons) | set(lots)
    chains: dict[str, list[dict]] = {}
    for entry in chain:
        q = _payload(entry)
        if entry.get("kind") == "seal" and (q.get("item") in items or q.get("incident_seq") == incident_seq):
            chains.setdefault(str(q.get("item")), []).append({
                "seq": entry.get("seq"), "time": entry.get("time"), "event": "sealed", "seal_id": q.get("seal_id"),
                "by": entry.get("who"), "signed_by": q.get("signed_by"), "hash": entry.get("hash"),
            })
        elif entry.get("kind") == "custody_transfer" and str(q.get("item")) in chains:
            chains[str(q["item"])].append({
                "seq": entry.get("seq"), "time": entry.get("time"), "event": "custody transferred",
                "seal_id": q.get("seal_id"), "to": q.get("investigator"), "agency": q.get("agency"),
                "receipt": q.get("receipt"), "signed_by": q.get("signed_by"), "hash": entry.get("hash"),
            })
    return chains


def verify_index(chain: Sequence[dict], index: Any) -> list[str]:
    """Problems with ``index`` as an index of ``chain`` (empty: it is exactly what the chain gives).

    Recomputes :func:`build_index` from the chain and names each difference,
    above all an entry the index leaves out.
    """
    if not isinstance(index, dict) or index.get("format") != INDEX_FORMAT:
        return [f"not an evidence index (expected format {INDEX_FORMAT!r})"]
    try:
        incident_seq = int(index["incident"]["seq"])
    except (KeyError, TypeError, ValueError):
        return ["the index does not name its incident (incident.seq)"]
    try:
        find_incident(clean_all(chain), incident_seq, asked=f"it indexes incident #{incident_seq}", where="this chain")
        expected = build_index(chain, incident_seq)
    except InputError as err:
        return [f"{err} (is it another bundle's index?)"]
    problems = []
    left_out = sorted(set(expected["entries"]) - set(index.get("entries") or []))
    added = sorted(set(index.get("entries") or []) - set(expected["entries"]))
    if left_out:
        problems.append(f"the index leaves out entries that touch the incident: {', '.join(f'#{s}' for s in left_out)}")
    if added:
        problems.append(f"the index lists entries that do not touch the incident: {', '.join(f'#{s}' for s in added)}")
    for key in ("incident", "chain", "involved", "by_subject", "custody"):
        if index.get(key) != expected[key]:
            problems.append(f"the index's {key!r} differs from what the chain gives")
    return problems


def check_index_file(export: Path, index_path: Path) -> tuple[bool, str]:
    """For ``armory log verify FILE --index INDEX``: whether INDEX is exactly the index FILE's chain gives."""
    from armory.ledger.verify import read_export

    try:
        index = json.loads(Path(index_path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"--index {index_path}: no such file") from None
    except (OSError, ValueError) as err:
        raise InputError(f"--index {index_path}: not a readable JSON index ({err})") from None
    problems = verify_index(read_export(Path(export)), index)
    if problems:
        return False, f"{index_path} is not the index of this chain: " + "; ".join(problems)
    count = len(index.get("entries") or [])
    return True, f"{index_path} is exactly the index this chain gives ({count} entries touch incident #{index['incident']['seq']})"


def verify_bundle(directory: Path) -> list[str]:
    """Problems with a bundle directory: its chain, its index, its report's data and its pack texts."""
    from armory.ledger.verify import read_export, verify_file

    directory = Path(directory)
    problems = []
    result, _ = verify_file(directory / "chain.jsonl")
    if not result.ok:
        seq, kind, what = result.first_bad or (0, "?", "no entries")
        problems.append(f"chain.jsonl does not verify: #{seq} ({kind}): {what}")
    chain = read_export(directory / "chain.jsonl")
    try:
        index = json.loads((directory / "index.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        return [*problems, f"index.json cannot be read: {err}"]
    problems += [f"index.json: {p}" for p in verify_index(chain, index)]
    if read_export(directory / "incident.html") != chain:
        problems.append("incident.html does not embed the same chain as chain.jsonl")
    for path in sorted((directory / "packs").glob("*.toml")):
        recorded = _pack_hashes(chain).get(path.name)
        if recorded is None or hashlib.sha256(path.read_bytes()).hexdigest() not in recorded:
            problems.append(f"packs/{path.name}: not the text of a pack recorded in the chain")
    return problems


def _pack_hashes(chain: Sequence[dict]) -> dict[str, set[str]]:
    """File name -> SHA-256 of the recorded text (and the recorded file hash) for every pack in the chain."""
    found: dict[str, set[str]] = {}
    for entry in chain:
        if entry.get("kind") in ("day_opened", "packs_changed"):
            for pack in _payload(entry).get("packs") or []:
                name = f"{pack.get('id')}-{pack.get('version')}.toml"
                text_hash = hashlib.sha256(str(pack.get("text", "")).encode("utf-8")).hexdigest()
                found.setdefault(name, set()).update({text_hash, str(pack.get("hash"))})
    return found


def packs_in_force(chain: Sequence[dict], incident: dict) -> list[tuple[dict, dict]]:
    """(pack, the entry recording it) for the packs in force when the incident happened."""
    day = _payload(incident).get("day")
    current: list[tuple[dict, dict]] = []
    for entry in in_scope(chain, incident):
        if entry.get("seq", 0) > incident["seq"]:
            break
        q = _payload(entry)
        if entry.get("kind") in ("day_opened", "packs_changed") and (day is None or q.get("day") == day):
            current = [(pack, entry) for pack in q.get("packs") or []]
    return current
