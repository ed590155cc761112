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
the whole chain that names any of them or refers to the incident.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Iterable, Sequence, TextIO

from armory.problems import InputError

INDEX_FORMAT = "armory-evidence-index/1"
PERSON_FIELDS = ("giver", "receiver", "actor", "crew_id", "reported_by", "caused_by", "authorized_by")
PEOPLE_LIST_FIELDS = ("witnesses", "signed_by")
REFERENCE_FIELDS = ("from_seq", "incident_seq", "stop_seq", "answer_seq", "corrects_seq")


def _payload(entry: dict) -> dict:
    payload = entry.get("payload")
    return payload if isinstance(payload, dict) else {}


def find_incident(chain: Sequence[dict], incident_seq: int) -> dict:
    for entry in chain:
        if entry.get("seq") == incident_seq:
            if entry.get("kind") != "incident":
                raise InputError(f"--incident {incident_seq}: entry #{incident_seq} is a {entry.get('kind')} entry, "
                                 f"not an incident; {_incidents_listed(chain)}")
            return entry
    raise InputError(f"--incident {incident_seq}: no entry #{incident_seq} in this ledger; {_incidents_listed(chain)}")


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
    incident = find_incident(chain, incident_seq)
    weapons, lots, people = involved(chain, incident)
    by_subject: dict[str, list[int]] = {f"weapon:{w}": [] for w in weapons}
    by_subject.update({f"lot:{x}": [] for x in lots})
    by_subject.update({f"person:{x}": [] for x in people})
    by_subject[f"ref:{incident_seq}"] = []
    # An entry that refers to an indexed one is indexed too (the clearance of the incident's stop, ...).
    indexed: set[int] = set()
    for entry in chain:
        seq = int(entry.get("seq", 0))
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
        "custody": custody_chains(chain, weapons, lots, incident_seq),
    }


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
        expected = build_index(chain, incident_seq)
    except InputError as err:
        return [str(err)]
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
    for entry in chain:
        if entry.get("seq", 0) > incident["seq"]:
            break
        q = _payload(entry)
        if entry.get("kind") in ("day_opened", "packs_changed") and (day is None or q.get("day") == day):
            current = [(pack, entry) for pack in q.get("packs") or []]
    return current


# -- writing the bundle ---------------------------------------------------------


def export_bundle(loaded: Any, incident_seq: int, out: Path, *, stderr: TextIO) -> int:
    from armory.export.commands import EXIT_CHECK_FAILED, EXIT_OK, jsonl_lines, sign
    from armory.export.html_report import ReportData, render_report
    from armory.export.jsonl import write_lines
    from armory.export.records import Names
    from armory.ledger.verify import verify_entries

    chain = loaded.entries
    incident = find_incident(chain, incident_seq)
    _check_target_dir(out)
    verification = verify_entries(chain)
    if verification.ok and loaded.writable:
        chain, verification = sign(loaded, chain, verification)
    elif verification.ok and chain[-1].get("kind") != "checkpoint":
        raise InputError(f"{loaded.ledger.path}: the ledger is read-only and no checkpoint follows its last "
                         "entries, so the bundle could not prove where the chain ends; export from a writable "
                         "ledger. Nothing written")
    signed_now = verification.ok and loaded.writable
    index = build_index(chain, incident_seq)
    packs = packs_in_force(chain, incident)
    names = Names(loaded.production)
    shown = [e for e in chain if e.get("seq") in set(index["entries"])]
    intro = _intro_html(index, incident, names)
    title = f"Evidence: incident #{incident_seq} ({str(_payload(incident).get('incident', '')).replace('_', ' ')})"
    html = render_report(ReportData(chain=chain, lines=jsonl_lines(chain), shown=shown, names=names,
                                    verification=verification, title=title, intro_html=intro,
                                    generated=str(chain[-1].get("time", "")) if signed_now else None))

    tmp = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp"))
    try:
        with open(tmp / "chain.jsonl", "w", encoding="utf-8", newline="\n") as handle:
            write_lines(chain, handle)
        (tmp / "index.json").write_text(index_text(index), encoding="utf-8")
        (tmp / "incident.html").write_text(html, encoding="utf-8", newline="")
        (tmp / "packs").mkdir()
        for pack, _entry in packs:
            (tmp / "packs" / f"{pack.get('id')}-{pack.get('version')}.toml").write_text(
                str(pack.get("text", "")), encoding="utf-8", newline="")
        (tmp / "README.txt").write_text(readme(index, packs, verification), encoding="utf-8")
        for path in tmp.rglob("*"):
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
        os.chmod(tmp, 0o755)
        if out.exists():
            out.rmdir()  # empty, checked above
        os.replace(tmp, out)
    except OSError as err:
        shutil.rmtree(tmp, ignore_errors=True)
        raise InputError(f"cannot write the bundle {out}: {err.strerror or err}") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise

    if verification.ok and loaded.writable:
        from armory.ledger.entries import ExportRecorded

        loaded.ledger.append("export_recorded", None, ExportRecorded(
            format="evidence-bundle", day=_payload(incident).get("day"), entries=len(chain),
            head_hash=str(chain[-1].get("hash", ""))))
    print(f"armory: wrote the evidence bundle for incident #{incident_seq} to {out}: chain of {len(chain)} entries "
          f"to head {str(chain[-1].get('hash', ''))[:16]}, {len(index['entries'])} indexed, "
          f"{len(index['custody'])} sealed item(s)", file=stderr)
    if not verification.ok:
        seq, kind, what = verification.first_bad or (0, "?", "no entries")
        print(f"armory: WARNING: the ledger does not verify: entry #{seq} ({kind}): {what}. The bundle was "
              "written and says so; no checkpoint was signed over it", file=stderr)
        return EXIT_CHECK_FAILED
    return EXIT_OK


def index_text(index: dict) -> str:
    """The index as JSON a person can read: one line per key, one line per subject and custody event."""

    def dump(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))

    parts = []
    for key, value in index.items():
        if key in ("by_subject", "custody") and isinstance(value, dict) and value:
            inner = []
            for sub, items in value.items():
                if key == "custody":
                    events = ",\n".join(f"      {dump(event)}" for event in items)
                    inner.append(f"    {dump(sub)}: [\n{events}\n    ]")
                else:
                    inner.append(f"    {dump(sub)}: {dump(items)}")
            parts.append(f"  {dump(key)}: {{\n" + ",\n".join(inner) + "\n  }")
        else:
            parts.append(f"  {dump(key)}: {dump(value)}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def _check_target_dir(out: Path) -> None:
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise InputError(f"--out {out}: the directory {parent} does not exist")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputError(f"--out {out}: already exists and is not an empty directory; give a new directory "
                         "(a bundle is never mixed with other files)")
    if not os.access(parent, os.W_OK):
        raise InputError(f"cannot write the bundle {out}: {parent} is not writable")


def _intro_html(index: dict, incident: dict, names: Any) -> str:
    from html import escape

    inc = index["incident"]
    involved_ = index["involved"]
    rows = []
    for item, events in index["custody"].items():
        for event in events:
            who = event.get("to") or names.person(event.get("by"))
            extra = f", {event.get('agency')}, receipt {event.get('receipt')}" if event.get("receipt") else ""
            rows.append(f"<tr><th scope=\"row\">{escape(item)}</th><td>{escape(str(event.get('seal_id')))}</td>"
                        f"<td>{escape(event['event'])}</td><td>{escape(str(who))}{escape(extra)}</td>"
                        f"<td><a href=\"#e{event['seq']}\">#{event['seq']}</a></td></tr>")
    custody = ("<table><caption>Custody of each sealed item</caption><thead><tr><th scope=\"col\">Item</th>"
               "<th scope=\"col\">Seal</th><th scope=\"col\">Event</th><th scope=\"col\">Who</th>"
               "<th scope=\"col\">Entry</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
               if rows else "<p>No item was sealed for this incident.</p>")
    listed = "; ".join(f"{label}: {', '.join(values) or 'none'}" for label, values in (
        ("weapons", involved_["weapons"]), ("lots", involved_["lots"]),
        ("people", [names.person(p) if names.person(p) else p for p in involved_["people"]])))
    return (
        '<section id="incident" aria-labelledby="incident-h"><h2 id="incident-h">This evidence bundle</h2>'
        f"<p>Incident <a href=\"#e{inc['seq']}\">#{inc['seq']}</a> ({escape(str(inc['incident']))}) on "
        f"{escape(str(inc['day']))}, reported by {escape(names.person(_payload(incident).get('reported_by')))}:</p>"
        f"<blockquote>{escape(str(_payload(incident).get('description', '')))}</blockquote>"
        "<p>The same bundle goes to the investigator, the prosecution and the defence.</p>"
        f"<p>Involved: {escape(listed)}. Below are the {len(index['entries'])} entries that touch them, out of "
        f"a chain of {index['chain']['entries']} entries carried whole in this file and in chain.jsonl.</p>"
        f"{custody}</section>"
    )


def readme(index: dict, packs: list[tuple[dict, dict]], verification: Any) -> str:
    inc = index["incident"]
    involved_ = index["involved"]
    pack_lines = "\n".join(
        f"                 {p.get('id')}-{p.get('version')}.toml (recorded in entry #{e.get('seq')}), file sha256\n"
        f"                 {p.get('hash')}"
        for p, e in packs) or "                 (no day was opened before the incident: no pack was in force)"
    status = "INTACT" if verification.ok else "DOES NOT VERIFY"
    return f"""EVIDENCE BUNDLE: incident #{inc['seq']} ({inc['incident']}), {inc['day']}, {inc['time']}

This one bundle is for everyone: the investigator, the prosecution and the
defence receive the same files. Nothing in it was selected by hand.

Contents
  chain.jsonl    The whole ledger, every entry from the first, up to a signed
                 checkpoint written after the incident: {index['chain']['entries']} entries, head
                 {index['chain']['head_hash']}.
                 Nothing can be left out of it without breaking the hash chain
                 or the signature.
  index.json     Every entry of the chain that touches the weapons, lots and
                 people involved, or refers to the incident; per subject, and the
                 custody of each sealed item. It is computed from the chain alone.
  incident.html  The same, to read in any browser (no network needed). It
                 embeds the whole chain too.
  packs/         The full text of each rule pack in force at the incident:
{pack_lines}
  README.txt     This file.

Involved
  weapons: {', '.join(involved_['weapons']) or 'none'}
  lots:    {', '.join(involved_['lots']) or 'none'}
  people:  {', '.join(involved_['people']) or 'none'}

Verification when the bundle was written: {status}; key fingerprint
{verification.key_fingerprint or 'unknown'}.

How to check it
  armory log verify chain.jsonl                   the hash chain and signatures
  armory log verify chain.jsonl --head HEX        a head hash noted on a call sheet
  armory log verify chain.jsonl --index index.json  recompute the index from the chain
  armory log verify incident.html                 the report carries the same chain

Without armory: each line of chain.jsonl is one entry in RFC 8785 canonical
JSON; remove its "hash" field and the SHA-256 of the remaining canonical
bytes is that hash; each entry's "prev" is the hash of the entry before it.
A "checkpoint" entry holds a C2SP signed note over the hash of the entry
before it, signed with the Ed25519 public key given in entry #1.

What "touches" means: an entry names one of the weapons (weapon, weapons,
a sealed item), one of the lots (lot, a sealed lot), one of the people (who
wrote it, giver, receiver, actor, reported by, caused by, witnesses, signed
by, investigator), or refers by number to the incident or to an entry
already indexed. The weapons are the incident's and those sealed for it;
the lots are those sealed for it and those whose rounds were verified for
those weapons that day; the people are who reported it and everyone who
gave, received, witnessed or signed for those weapons that day, or sealed
or took custody of the items.
"""
