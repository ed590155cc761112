"""The studio store's commands: ``armory sync``, ``armory studio init|status|witness``, and ``--store`` readers.

Each takes the store as ``--store URL`` or ``ARMORY_STORE`` (a libpq URL or
``service=NAME``; the password from ``~/.pgpass`` or ``PGPASSWORD``). A store
that cannot be reached or used is one line on stderr and exit 2, never a
traceback and never a password.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from armory.cli.common import ledger_path
from armory.problems import InputError

EXIT_OK, EXIT_FAILED = 0, 1


def _connect(args: argparse.Namespace, **options):
    from armory.studio.connect import connect, store_url

    url = store_url(getattr(args, "store", None))
    return url, connect(url, **options)


def _guard(url: str, doing: str):
    """Turn a database error met after connecting (the server went away, a permission) into one line."""
    import contextlib

    import psycopg

    from armory.studio.connect import unavailable

    @contextlib.contextmanager
    def guarded():
        try:
            yield
        except psycopg.Error as err:
            raise unavailable(url, err, doing) from None

    return guarded()


# -- armory studio init -------------------------------------------------------------


def init(args: argparse.Namespace) -> int:
    from armory.studio import schema
    from armory.studio.connect import display

    url, conn = _connect(args)
    with conn, _guard(url, "initializing"):
        said = schema.init(conn)
    print(f"studio store {display(url)}:")
    for line in said:
        print(f"  {line}")
    print(f"  grant the roles to login roles: GRANT {schema.WRITER} TO <each unit's and the witness's login>; "
          f"GRANT {schema.READER} TO <the safety office's and producers' logins>")
    return EXIT_OK


# -- armory sync --------------------------------------------------------------------


def sync(args: argparse.Namespace) -> int:
    from armory.studio.connect import display, store_url
    from armory.studio.sync import sync_ledger

    url = store_url(args.store)
    ledger_file = ledger_path(args)
    if not ledger_file.exists():
        raise InputError(f"{ledger_file}: no ledger there (give --ledger PATH or set ARMORY_LEDGER)")
    outcome = sync_ledger(ledger_file, url, unit=args.unit)
    result = outcome.result
    for fingerprint, size, head in outcome.brought:
        print(f"brought home a cosignature by studio witness key {fingerprint}: entries 1-{size} (head {head[:16]}), "
              "appended to the ledger")
    where = f"unit {result.unit!r} of {result.production_title!r} in {display(url)}"
    if result.refused is not None:
        print(f"REFUSED: {where}: {result.refused.message}", file=sys.stdout)
        named = {"fork": f"; first differing entry #{result.refused.first_seq}",
                 "unverified": f"; first entry refused #{result.refused.first_seq}",
                 "behind": f"; first entry missing here #{result.refused.first_seq}"}.get(result.refused.reason, "")
        times = result.refused.times
        recorded = (f"the same refusal as before, seen {times} times now (still one conflict in the store)"
                    if times > 1 else "recorded as a conflict in the store")
        print(f"  {recorded}; armory studio status shows it{named}", file=sys.stdout)
        return EXIT_FAILED
    if args.unit and args.unit != result.unit:
        print(f"note: this ledger is unit {result.unit!r} in the store since its first sync, and a unit keeps its "
              f"name: --unit {args.unit} was not applied")
    what = f"{result.pushed} new entr{'y' if result.pushed == 1 else 'ies'}" if result.pushed else "nothing new"
    print(f"synced {where}: {what}; the store holds #1-#{result.head_seq} (head {result.head_hash[:16]})")
    return EXIT_OK


# -- armory studio status -----------------------------------------------------------


def status(args: argparse.Namespace) -> int:
    from armory.studio.connect import display
    from armory.studio.schema import require_schema
    from armory.studio.status import read_status, render

    from armory.studio.schema import VERSION, current_version

    title = _title(args)
    url, conn = _connect(args)
    with conn, _guard(url, "reading"):
        with conn.cursor() as cur:
            require_schema(cur)
            version = current_version(cur)
        report = read_status(conn, title)
    if title is not None and not report.units:
        raise InputError(f"no unit of {title!r} in the studio store")
    for line in render(report, display(url), title):
        print(line)
    if version < VERSION:
        print(f"note: the store's schema is at version {version}; its owner brings it to {VERSION} with "
              "armory studio init (units keep syncing meanwhile)")
    return EXIT_OK


# -- armory studio witness ----------------------------------------------------------


def witness(args: argparse.Namespace) -> int:
    from armory.ledger import signing
    from armory.studio.schema import require_schema
    from armory.studio.witness import witness as run_witness

    key_path = Path(args.key)
    existed = key_path.exists()
    key = signing.load_or_create_key(key_path, create=True)
    fingerprint = signing.fingerprint(signing.public_raw(key))
    public_path = key_path.with_name(key_path.name + ".pub")
    if not public_path.exists():  # what producers and insurers are given: log verify --witness FILE.pub
        from cryptography.hazmat.primitives import serialization

        try:
            public_path.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                                  serialization.PublicFormat.SubjectPublicKeyInfo))
        except OSError as err:
            raise InputError(f"cannot write the witness's public key {public_path}: {err.strerror or err}") from None
    if not existed:
        print(f"made a new witness key {key_path} (fingerprint {fingerprint}); keep it at the studio, never on a "
              f"unit's laptop, and publish the fingerprint or {public_path} (log verify --witness takes either)")
    url, conn = _connect(args)
    import socket

    with conn, _guard(url, "witnessing"):
        with conn.cursor() as cur:
            require_schema(cur)
        conn.commit()
        said = run_witness(conn, key, args.name, Path(args.state), host=socket.gethostname())
    refused = 0
    for item in said:
        where = f"{item.production_title} / {item.unit}"
        if item.outcome == "cosigned":
            print(f"cosigned {where}: head #{item.seq} {item.hash[:16]} (witness key {fingerprint})")
        elif item.outcome == "unchanged":
            print(f"unchanged {where}: head #{item.seq} already cosigned")
        elif item.outcome == "refused":
            refused += 1
            print(f"REFUSED {where}: {item.message}; recorded as a conflict")
    if not said:
        print("no unit in the store yet")
    return EXIT_FAILED if refused else EXIT_OK


# -- armory log verify --witness (a ledger or an export) ------------------------------


def verify_witnessed(args: argparse.Namespace) -> int:
    """``log verify FILE --witness KEY``: the usual check, then the chain's cosignatures against the studio's key."""
    from armory.cli.log import verify
    from armory.ledger.verify import verify_file
    from armory.studio.verify_store import witness_fingerprints

    pins = witness_fingerprints(args.witness)
    code = verify(args)
    result, _kind = verify_file(Path(args.file) if args.file is not None else ledger_path(args))
    if not result.ok:
        return code
    ours = [(fp, size) for fp, size, _head in result.cosigned if fp in pins]
    foreign = sorted({fp for fp, _size, _head in result.cosigned if fp not in pins})
    for fp in foreign:
        print(f"  FAILED: a cosignature by witness key {fp}, which is not the studio witness key given")
    if ours:
        print(f"  ok: cosigned by the studio witness (key {', '.join(sorted({fp for fp, _ in ours}))}) up to "
              f"#{max(size for _, size in ours)}")
    elif not foreign:
        print("  note: no cosignature by the studio witness in this chain yet (armory sync brings them home)")
    return 1 if foreign else code


# -- armory log verify --store ------------------------------------------------------


def _title(args: argparse.Namespace) -> str | None:
    """``--production`` with ``--store``: a title, or a production file whose title is taken."""
    given = getattr(args, "production", None)
    if given is None:
        return None
    path = Path(given)
    if path.is_file():
        from armory.rulebook.loader import load_production

        return load_production(path).production.production.title
    return str(given)


def verify_store(args: argparse.Namespace) -> int:
    from armory.studio.connect import display
    from armory.studio.schema import require_schema
    from armory.studio.verify_store import units_of, verify_unit, witness_fingerprints

    if getattr(args, "file", None) is not None or getattr(args, "ledger", None) is not None:
        raise InputError("--store verifies the store's chains: give either --store or FILE / --ledger, not both")
    witnesses = witness_fingerprints(args.witness) if getattr(args, "witness", None) else None
    url, conn = _connect(args, **{})
    title = _title(args)
    failed = 0
    with conn, _guard(url, "verifying"):
        with conn.cursor() as cur:
            require_schema(cur)
        units = units_of(conn, title)
        if not units:
            raise InputError(f"no unit of {title!r} in the store" if title else "the store holds no unit yet")
        for unit_row in units:
            verdict = verify_unit(conn, unit_row, witnesses)
            result = verdict.result
            where = f"{verdict.production_title} / {verdict.unit} (ledger {verdict.ledger_id}, key {verdict.key_fingerprint})"
            if verdict.ok:
                print(f"intact: {where}")
                checked = result.checkpoints_checked
                signed = (f"{checked} signed checkpoint{'s' if checked != 1 else ''} verified (the last is "
                          f"#{result.signed_through})" if checked else "no signed checkpoint yet")
                print(f"  {result.entries} entries, head #{result.entries} {result.head[:16]}; {signed}")
            else:
                failed += 1
                print(f"TAMPERED: {where}")
                if result is not None and result.first_bad is not None:
                    seq, kind, what = result.first_bad
                    print(f"  first bad entry: #{seq} ({kind}): {what}")
                for failure in verdict.failures:
                    print(f"  FAILED: {failure}")
            for note in verdict.notes:
                print(f"  note: {note}")
            for problem in (result.problems if result is not None else []):
                print(f"  note: {problem}")
    print(f"{len(units) - failed} of {len(units)} unit chain{'s' if len(units) != 1 else ''} in {display(url)} intact")
    return EXIT_FAILED if failed else EXIT_OK


# -- armory export --store ----------------------------------------------------------


def export_store(args: argparse.Namespace) -> int:
    from armory.export.atomic import check_target
    from armory.export.writing import export_format
    from armory.studio.report import export_units

    if getattr(args, "day", None) is not None:
        raise InputError("--store exports a production's units whole: --day is not available with it")
    if getattr(args, "ledger", None) is not None:
        raise InputError("give either --store or --ledger, not both")
    title = _title(args)
    if not title:
        raise InputError("--store needs --production TITLE (the production's title, or its file)")
    if getattr(args, "incident", None) is not None:
        return _export_store_incident(args, title)
    if getattr(args, "unit", None) is not None:
        raise InputError("--unit names the incident's unit with --incident; --store exports every unit of the "
                         "production")
    out = check_target(args.out)
    fmt = export_format(args.format, out)
    if fmt == "csv":
        raise InputError("--store exports html (the units side by side) or jsonl; csv is for one ledger")
    url, conn = _connect(args)
    with conn, _guard(url, "exporting from"):
        return export_units(conn, url, title, fmt, out)


def _export_store_incident(args: argparse.Namespace, title: str) -> int:
    """``export --store --incident SEQ``: the bundle a unit's ledger would make, from the store's copy of it."""
    from armory.studio.bundle import write_store_bundle
    from armory.studio.connect import display

    if args.format is not None:
        raise InputError(f"--format {args.format} does not apply to --incident: an evidence bundle is a directory; "
                         "give --out DIR without --format")
    given = Path(args.production)
    production_path = given if given.is_file() else None
    url, conn = _connect(args)
    with conn, _guard(url, "exporting from"):
        unit, bundle = write_store_bundle(conn, display(url), title, getattr(args, "unit", None), args.incident,
                                          Path(args.out), production_path)
    chain, verification = bundle.chain, bundle.verification
    print(f"armory: wrote the evidence bundle for incident #{args.incident} of {title} / {unit} from "
          f"{display(url)} to {args.out}: chain of {len(chain)} entries to its signed checkpoint, head "
          f"{str(chain[-1].get('hash', ''))[:16]}, {len(bundle.index['entries'])} indexed, "
          f"{len(bundle.index['custody'])} sealed item(s)", file=sys.stderr)
    if not verification.ok:
        seq, kind, what = verification.first_bad or (0, "?", "no entries")
        print(f"armory: WARNING: the unit's chain in the store does not verify: entry #{seq} ({kind}): {what}. "
              "The bundle was written and says so", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK
