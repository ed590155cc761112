"""A damaged or edited record is still exported: whatever a payload holds, no traceback.

An export of a ledger that fails verification must still be written and say
so; the entries it shows may hold anything someone typed into the file. This
property test feeds the report, the csv, the timeline and the evidence index
entries whose fields were replaced by values of the wrong type.
"""

from __future__ import annotations

import copy
import io
from types import SimpleNamespace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from armory.export.bundle import build_index, verify_index
from armory.export.csv_export import write_csv
from armory.export.html_report import ReportData, render_report
from armory.export.records import Names, build_records
from armory.ledger.verify import read_export
from armory.problems import InputError
from tests.golden.regenerate import HERE

CHAIN = read_export(HERE / "report.jsonl")
ODD = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 10**16), st.text(max_size=12), st.just("<script>&\"'"),
    st.lists(st.one_of(st.none(), st.integers(), st.text(max_size=4)), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
FIELDS = sorted({key for entry in CHAIN for key in entry["payload"]} | {"seq", "time", "kind", "who", "payload"})


@st.composite
def damaged_chains(draw):
    chain = copy.deepcopy(CHAIN)
    for _ in range(draw(st.integers(1, 12))):
        entry = chain[draw(st.integers(0, len(chain) - 1))]
        field = draw(st.sampled_from(FIELDS))
        if field in ("seq", "time", "kind", "who", "payload"):
            entry[field] = draw(ODD)
        elif isinstance(entry["payload"], dict):
            entry["payload"][field] = draw(ODD)
    return chain


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chain=damaged_chains())
def test_damaged_entries_never_stop_an_export(chain):
    names = Names()
    verification = SimpleNamespace(ok=False, entries=3, head="", first_bad=(4, "answer", "changed"),
                                   checkpoints_checked=0, key_fingerprint="", problems=[], signed_through=0)
    html = render_report(ReportData(chain=chain, lines=["{}"] * len(chain), shown=chain, names=names,
                                    verification=verification))
    assert "NOT INTACT" in html and "<script>&" not in html.split('id="armory-ledger"')[0]
    write_csv(io.StringIO(), build_records(chain, names))
    try:
        index = build_index(chain, 28)
    except InputError:
        return  # the incident entry itself was damaged: a clear message, as for a wrong number
    assert verify_index(chain, index) == []
