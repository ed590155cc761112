"""The incident evidence bundle: the whole chain, an index anyone can recompute, custody, packs, a report."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from armory.cli import main
from armory.export.bundle import build_index, verify_bundle, verify_index
from armory.ledger.verify import read_export, verify_file
from tests.golden import ledger_fixture

PRODUCTION = str(ledger_fixture.PRODUCTION)
MISFIRE = 28


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("bundle")
    ledger = ledger_fixture.build(work / "dry-creek.sqlite")
    out = work / "incident-28"
    assert main(["export", "--ledger", str(ledger), "--production", PRODUCTION, "--incident", str(MISFIRE),
                 "--out", str(out)]) == 0
    return out


def test_bundle_holds_every_file_and_verifies(bundle):
    assert sorted(p.name for p in bundle.iterdir()) == ["README.txt", "chain.jsonl", "incident.html", "index.json",
                                                         "packs"]
    assert verify_bundle(bundle) == []
    for name in ("chain.jsonl", "incident.html"):
        result, _ = verify_file(bundle / name)
        assert result.ok and result.last_kind == "checkpoint"


def test_the_chain_is_whole_from_the_first_entry_to_a_checkpoint_after_the_incident(bundle):
    chain = read_export(bundle / "chain.jsonl")
    assert [e["seq"] for e in chain] == list(range(1, len(chain) + 1))
    assert chain[-1]["kind"] == "checkpoint" and chain[-1]["seq"] > MISFIRE
    assert chain[-2]["kind"] == "note"  # day 2 is there too: nothing after the incident is cut


def test_index_names_what_is_involved_and_the_custody_of_each_sealed_item(bundle):
    index = json.loads((bundle / "index.json").read_text())
    assert index["involved"] == {"weapons": ["colt-1"], "lots": ["dummy-45"], "people": ["marlow", "okafor", "reyes"]}
    custody = index["custody"]
    assert [e["event"] for e in custody["colt-1"]] == ["sealed", "custody transferred"]
    assert custody["colt-1"][1]["receipt"] == "SFCSO-2026-0113"
    assert [e["seal_id"] for e in custody["dummy-45"]] == ["SEAL-0043"]
    entries = set(index["entries"])
    chain = read_export(bundle / "chain.jsonl")
    kinds = {e["seq"]: e["kind"] for e in chain}
    # the misfire, the stop it caused, the seals, the transfer, every dummy verified for the revolver
    assert {MISFIRE, MISFIRE + 1} <= entries
    assert {s for s, k in kinds.items() if k in ("seal", "custody_transfer", "round_verified")} <= entries
    assert 1 not in entries  # the ledger's opening names nobody involved
    assert index["by_subject"][f"ref:{MISFIRE}"] == [28, 29, 31, 32]


def test_the_cli_recomputes_the_index(bundle, tmp_path, capsys):
    assert main(["log", "verify", str(bundle / "chain.jsonl"), "--index", str(bundle / "index.json")]) == 0
    assert "exactly the index this chain gives" in capsys.readouterr().out
    index = json.loads((bundle / "index.json").read_text())
    index["entries"].remove(17)  # the handoff to the actor, quietly dropped
    forged = tmp_path / "index.json"
    forged.write_text(json.dumps(index))
    assert main(["log", "verify", str(bundle / "chain.jsonl"), "--index", str(forged)]) == 1
    assert "leaves out entries that touch the incident: #17" in capsys.readouterr().out


def test_verify_index_names_what_is_left_out_and_what_is_added(bundle):
    chain = read_export(bundle / "chain.jsonl")
    index = build_index(chain, MISFIRE)
    assert verify_index(chain, index) == []
    fewer = {**index, "entries": [s for s in index["entries"] if s != 31]}
    assert verify_index(chain, fewer) == ["the index leaves out entries that touch the incident: #31"]
    more = {**index, "entries": sorted([*index["entries"], 1])}
    assert verify_index(chain, more) == ["the index lists entries that do not touch the incident: #1"]
    moved = {**index, "custody": {}}
    assert verify_index(chain, moved) == ["the index's 'custody' differs from what the chain gives"]
    assert verify_index(chain, {"format": "something else"})[0].startswith("not an evidence index")


def test_the_packs_in_force_are_there_in_full(bundle):
    pack = bundle / "packs" / "core-safety-1.0.0.toml"
    assert pack.read_text() == ledger_fixture.PACK_TEXT
    assert hashlib.sha256(pack.read_bytes()).hexdigest() == ledger_fixture.PACK_HASH
    readme = (bundle / "README.txt").read_text()
    assert "the investigator, the prosecution and the\ndefence receive the same files" in readme
    assert ledger_fixture.PACK_HASH in readme


def test_the_report_shows_the_incident_and_its_custody(bundle):
    html = (bundle / "incident.html").read_text()
    assert "Evidence: incident #28 (misfire)" in html
    assert "Custody of each sealed item" in html and "SFCSO-2026-0113" in html
    assert 'id="e28"' in html and 'id="e1"' not in html


@pytest.mark.parametrize("seq, message", [(27, "entry #27 is a handoff entry, not an incident"),
                                          (999, "no entry #999 in this ledger; incidents recorded: #28 (misfire)")])
def test_an_entry_that_is_no_incident_is_refused(tmp_path, capsys, seq, message):
    ledger = ledger_fixture.build(tmp_path / "l.sqlite")
    assert main(["export", "--ledger", str(ledger), "--incident", str(seq), "--out", str(tmp_path / "b")]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "b").exists()


def test_a_bundle_never_mixes_with_other_files(tmp_path, capsys):
    ledger = ledger_fixture.build(tmp_path / "l.sqlite")
    out = tmp_path / "b"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    assert main(["export", "--ledger", str(ledger), "--incident", "28", "--out", str(out)]) == 2
    assert "not an empty directory" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
    assert main(["export", "--ledger", str(ledger), "--incident", "28", "--out", str(tmp_path / "x" / "b")]) == 2


def test_a_bundle_of_a_ledger_that_fails_verification_says_so_and_is_never_signed(tmp_path, capsys):
    from armory.ledger.store import Ledger
    from tests.test_export_command import _kinds, _tamper

    ledger = ledger_fixture.build(tmp_path / "l.sqlite")
    _tamper(ledger, 33, b"SFCSO-2026-0113", b"SFCSO-2026-0999")
    before = _kinds(ledger)
    out = tmp_path / "b"
    assert main(["export", "--ledger", str(ledger), "--incident", "28", "--out", str(out)]) == 1
    assert "does not verify: entry #33 (custody_transfer)" in capsys.readouterr().err
    assert _kinds(ledger) == before
    assert "Verification when the bundle was written: DOES NOT VERIFY" in (out / "README.txt").read_text()
    assert "NOT INTACT" in (out / "incident.html").read_text()
    assert not verify_file(out / "chain.jsonl")[0].ok
    with Ledger.open(ledger, readonly=True) as opened:
        assert opened.head().kind == "note"


@pytest.mark.parametrize("what, message", [("file", "already exists and is not a directory"),
                                           ("fifo", "already exists and is not a directory"),
                                           ("symlink", "is a symbolic link")])
def test_a_bundle_target_that_is_no_directory_is_refused_before_signing(tmp_path, capsys, what, message):
    import os

    from tests.test_export_command import _kinds

    ledger = ledger_fixture.build(tmp_path / "l.sqlite")
    out = tmp_path / "b"
    if what == "file":
        out.write_text("mine")
    elif what == "fifo":
        os.mkfifo(out)
    else:
        (tmp_path / "empty").mkdir()
        out.symlink_to(tmp_path / "empty")
    mode = os.lstat(out).st_mode
    before = _kinds(ledger)
    assert main(["export", "--ledger", str(ledger), "--incident", "28", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert os.lstat(out).st_mode == mode and _kinds(ledger) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_an_unwritable_place_for_the_bundle_is_refused_before_anything_is_signed(tmp_path, capsys, monkeypatch):
    # as under /proc, or a read-only mount, where os.access still says yes to root
    import armory.export.bundle_write as bundle_write
    from tests.test_export_command import _kinds

    def refused(*args, **kwargs):
        raise FileNotFoundError(2, "No such file or directory")

    ledger = ledger_fixture.build(tmp_path / "l.sqlite")
    before = _kinds(ledger)
    monkeypatch.setattr(bundle_write.tempfile, "mkdtemp", refused)
    assert main(["export", "--ledger", str(ledger), "--incident", "28", "--out", str(tmp_path / "b")]) == 2
    err = capsys.readouterr().err
    assert "cannot write the bundle" in err and "nothing was signed or written" in err and "Traceback" not in err
    assert _kinds(ledger) == before and not (tmp_path / "b").exists()


def test_a_failure_to_make_the_bundle_directory_is_a_clear_message(tmp_path, capsys, monkeypatch):
    import tempfile

    import armory.export.bundle_write as bundle_write

    real, calls = tempfile.mkdtemp, []

    def second_fails(*args, **kwargs):  # the check passes, then the disk fills
        calls.append(kwargs)
        if len(calls) > 1:
            raise OSError(28, "No space left on device")
        return real(*args, **kwargs)

    ledger = ledger_fixture.build(tmp_path / "l.sqlite")
    monkeypatch.setattr(bundle_write.tempfile, "mkdtemp", second_fails)
    assert main(["export", "--ledger", str(ledger), "--incident", "28", "--out", str(tmp_path / "b")]) == 2
    err = capsys.readouterr().err
    assert "cannot write the bundle" in err and "No space left on device" in err and "Traceback" not in err
    assert not (tmp_path / "b").exists()


def test_another_bundles_index_is_named_as_such_without_a_flag_nobody_gave(bundle, tmp_path, capsys):
    index = json.loads((bundle / "index.json").read_text())
    index["incident"]["seq"] = 497
    other = tmp_path / "index.json"
    other.write_text(json.dumps(index))
    assert main(["log", "verify", str(bundle / "chain.jsonl"), "--index", str(other)]) == 1
    out = capsys.readouterr().out
    assert "it indexes incident #497: no entry #497 in this chain; incidents recorded: #28 (misfire)" in out
    assert "another bundle's index" in out and "--incident" not in out
    index["incident"]["seq"] = 27
    other.write_text(json.dumps(index))
    assert main(["log", "verify", str(bundle / "chain.jsonl"), "--index", str(other)]) == 1
    assert "it indexes incident #27: entry #27 is a handoff entry, not an incident" in capsys.readouterr().out


def test_an_entry_kind_is_named_with_the_right_article():
    from armory.export.bundle import find_incident
    from armory.problems import InputError

    chain = [{"seq": 1, "kind": "answer", "payload": {}}, {"seq": 2, "kind": "handoff", "payload": {}}]
    with pytest.raises(InputError, match="entry #1 is an answer entry, not an incident"):
        find_incident(chain, 1)
    with pytest.raises(InputError, match="entry #2 is a handoff entry"):
        find_incident(chain, 2)


def _entry(seq, kind, scope, payload, who=None):
    return {"seq": seq, "time": f"2000-01-03T15:{seq:02d}:00.000000Z", "kind": kind, "who": who, "scope": scope,
            "payload": payload, "prev": "0" * 64, "hash": f"{seq:064x}"}


def test_the_index_keeps_to_the_incidents_own_drill_run():
    # Several drill runs share one ledger: incident #497's index pulled in saa-2 entries of every other run.
    a, b = "drill:misfire-ignored:aaaa", "drill:live-round:bbbb"
    chain = [
        _entry(1, "ledger_opened", "", {"ledger_id": "x"}),
        _entry(2, "handoff", a, {"day": "day-1", "weapon": "saa-2", "giver": "ana", "receiver": "eli",
                                 "witnesses": [], "signed_by": ["ana", "eli"]}, "ana"),
        _entry(3, "handoff", b, {"day": "day-1", "weapon": "saa-2", "giver": "ana", "receiver": "faye",
                                 "witnesses": ["dan"], "signed_by": ["ana", "faye"]}, "ana"),
        _entry(4, "round_verified", b, {"day": "day-1", "weapon": "saa-2", "lot": "other-lot", "round_no": 1}, "ana"),
        _entry(5, "incident", a, {"incident": "misfire", "day": "day-1", "weapon": "saa-2", "reported_by": "ana",
                                  "description": "click"}, "ana"),
        _entry(6, "incident", b, {"incident": "misfire", "day": "day-1", "weapon": "saa-2", "reported_by": "ana",
                                  "description": "click"}, "ana"),
        _entry(7, "stop", b, {"scope": "production", "weapons": ["saa-2"], "cause": "invariant.discharge",
                              "from_seq": 6, "day": "day-1"}),
        _entry(8, "stop", a, {"scope": "production", "weapons": ["saa-2"], "cause": "invariant.discharge",
                              "from_seq": 5, "day": "day-1"}),
    ]
    index = build_index(chain, 5)
    assert index["entries"] == [2, 5, 8]
    assert index["involved"] == {"weapons": ["saa-2"], "lots": [], "people": ["ana", "eli"]}
    assert build_index(chain, 6)["entries"] == [3, 4, 6, 7]
    assert index["chain"]["entries"] == len(chain)  # the bundle still carries the whole chain
    assert verify_index(chain, index) == []
    # The main record (scope "") is a run of its own: drill runs on the same file do not leak into it.
    main_chain = [{**e, "scope": ""} if e["scope"] == a else e for e in chain]
    assert build_index(main_chain, 5)["entries"] == [2, 5, 8]


def test_the_incident_page_says_when_it_happened_as_recorded(bundle):
    page = (bundle / "incident.html").read_text(encoding="utf-8")
    intro = page[page.index('id="incident"'):page.index("</blockquote>")]
    # the local date and time it was recorded at, beside its day id
    assert "on day-1 (opened Mon 2 Mar 2026), at 2026-03-02 14:21 (America/Denver), reported by" in intro
