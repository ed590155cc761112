"""The ``armory`` command: argument parsing and dispatch, nothing else.

Each subcommand names its handler as ``module:function`` and the module is
imported only when that subcommand runs, so ``armory --help`` stays fast and
never imports Textual. The handlers live beside this one, a module per command
group (``rules``, ``log``, ``export``, ``crew``): each takes the parsed
arguments, calls the core's functions and turns their results and problems
into output and an exit code: 0 fine, 1 a check failed, 2 unusable input or
usage. The core never prints for a terminal nor knows an exit code.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

EXIT_OK, EXIT_CHECK_FAILED, EXIT_USAGE = 0, 1, 2

DESCRIPTION = """\
armory: firearms-safety compliance for film and TV sets.

Run with no subcommand to open the armorer's terminal app on the bundled
sample production (or --production PATH). Rule packs are TOML files; every
answer, sign-off and handoff goes into an append-only, tamper-evident ledger.
"""

EPILOG = """\
exit codes: 0 fine; 1 a check failed (a drill, a chain that does not verify);
2 unusable input or usage.
environment: ARMORY_LEDGER names the ledger file when --ledger is not given;
ARMORY_STORE names the studio store (a libpq URL or service=NAME) when --store gives none.
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 already; keep its text short
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


class _VersionAction(argparse.Action):
    """``--version``, looked up only when asked: importlib.metadata costs a third of start-up."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS,
                 help="show armory's version and exit"):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        from armory.version import armory_version

        print(f"armory {armory_version()}")
        parser.exit()


#: The entry kinds ``log show --kind`` accepts, for its help. The ledger owns them
#: (armory.ledger.entries.KINDS, a test keeps the two equal); they are written out here so that building
#: the parser imports no handler and no pydantic.
LOG_KINDS = (
    "ledger_opened", "crew_enrolled", "auth_failed", "day_opened", "packs_changed", "answer", "round_verified",
    "override", "correction", "stop", "clearance", "handoff", "refusal", "return", "rounds_fired", "incident",
    "incident_reviewed", "seal", "custody_transfer", "spare", "checks_signed", "note", "day_closed", "checkpoint", "export_recorded",
    "cosignature",
    "credentials_sealed",
)

READ_PRODUCTION_HELP = ("production file for names and local times; it must be the one the ledger was "
                        "opened for (default: the bundled sample the ledger records, else crew ids and UTC)")


def _add_production(p: argparse.ArgumentParser, help_text: str = "production file (default: the bundled sample "
                                                                  "Western)", *, top: bool = False) -> None:
    """``--production`` and ``--rules``, on the top-level parser (``top=True``) or on a subcommand.

    argparse parses a subcommand's options into a namespace of its own and copies every
    value over the top-level one, defaults included, so a subcommand's copy with a default
    of its own would silently undo ``armory --production P log show``. A subcommand's copy
    therefore has no default (SUPPRESS: set only when given there), and its ``--rules`` go
    to a separate list that :func:`main` adds to the top-level ones.
    """
    p.add_argument(
        "--production",
        type=Path,
        metavar="PATH",
        help=help_text,
        **({} if top else {"default": argparse.SUPPRESS}),
    )
    _add_rules(p, "extra rule pack file or directory, searched before the bundled rules/ (repeatable)", top=top)


def _add_rules(p: argparse.ArgumentParser, help_text: str, *, top: bool = False) -> None:
    if top:
        p.add_argument("--rules", type=Path, action="append", default=[], metavar="PATH", help=help_text)
    else:
        p.add_argument("--rules", dest=_SUB_RULES, type=Path, action="append", default=argparse.SUPPRESS,
                       metavar="PATH", help=help_text)


_SUB_RULES = "_subcommand_rules"


def _add_ledger(p: argparse.ArgumentParser, help_text: str = "ledger file (default: $ARMORY_LEDGER, else one per "
                                                              "production in the user data directory)",
                *, top: bool = False) -> None:
    """``--ledger``: a subcommand's copy has no default, so it never undoes ``armory --ledger X ...``."""
    p.add_argument(
        "--ledger",
        type=Path,
        metavar="PATH",
        help=help_text,
        **({} if top else {"default": argparse.SUPPRESS}),
    )


def _sub(parent, name: str, handler: str, help_text: str, description: str | None = None):
    p = parent.add_parser(
        name,
        help=help_text,
        description=description or help_text,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.set_defaults(handler=handler)
    return p


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="armory",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=_VersionAction)
    _add_production(parser, top=True)
    _add_ledger(parser, top=True)
    parser.set_defaults(handler="armory.tui.launch:run")
    top = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=_Parser)

    # rules -----------------------------------------------------------------
    rules = top.add_parser(
        "rules",
        help="lint, document, show and test rule packs",
        description="Work on rule packs, productions and drills: lint them, print the JSON\n"
                    "Schema an editor uses, show the checklist a setup gets, run drills.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    rules_sub = rules.add_subparsers(title="commands", metavar="COMMAND", required=True, parser_class=_Parser)

    p = _sub(
        rules_sub,
        "lint",
        "armory.cli.rules:lint",
        "report every problem in rule packs, productions and drills",
        "Report every problem as file:line: key: message. With no PATH, lint the\n"
        "bundled rules/ and sample_productions/. A directory is searched for *.toml.\n"
        "Exit 0 when clean, 2 when there is any problem.",
    )
    p.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                   help="a rule pack, production, drill or failure catalogue, or a directory of them")
    _add_rules(p, "extra rule pack file or directory that productions in PATH may name (repeatable)")
    p.add_argument("--ledger", type=Path, metavar="LEDGER", default=None,
                   help="also report each pack whose text differs from the one this ledger recorded under "
                        "the same version")

    p = _sub(
        rules_sub,
        "schema",
        "armory.cli.rules:schema",
        "print the JSON Schema of a file kind, for editors",
        "Print the JSON Schema generated from the models. Point Taplo / Even Better\n"
        "TOML at it with a '#:schema PATH' first line for completion and checking.",
    )
    p.add_argument("--kind", choices=["pack", "production", "drill", "failures"], default="pack",
                   help="which file's schema: a rule pack (the default), a production, a drill or "
                        "the failure catalogue (rules/failures.toml)")

    p = _sub(
        rules_sub,
        "show",
        "armory.cli.rules:show",
        "print the checklist a setup would produce, or every rule against every setup",
        "Print, phase by phase, the checks one weapon gets in one setup: each rule's\n"
        "id, question, what passes, severity and source. Without --day, --scene and\n"
        "--weapon: every rule against every weapon in every setup of the production\n"
        "(a table, or one line per rule and setup with --format csv).",
    )
    _add_production(p)
    p.add_argument("--day", help="day id (with --scene and --weapon: that setup's checklist)")
    p.add_argument("--scene", help="scene id")
    p.add_argument("--setup", help="setup id (default: the scene's first setup)")
    p.add_argument("--weapon", help="weapon id")
    p.add_argument("--format", choices=["table", "csv"], default="table",
                   help="for the whole production: a terminal table (default) or CSV")

    p = _sub(
        rules_sub,
        "test",
        "armory.cli.rules:test",
        "run drills against the rule packs",
        "Run each DRILL (a TOML scenario) in a fresh state and compare what happened\n"
        "with what it expects. Exit 0 when every expectation holds, 1 when one does\n"
        "not, 2 for unusable input. Without --ledger, drills write to a temporary\n"
        "ledger, never to $ARMORY_LEDGER.\n"
        "\n"
        "--coverage counts every rule in force in the drills, the bundled packs\n"
        "included. To test your own pack, name it by its [pack] id:\n"
        "  armory rules test --rules my-pack.toml --coverage-of my-pack DRILL ...\n"
        "counts only the rules of my-pack (repeat --coverage-of for several packs).",
    )
    p.add_argument("drills", nargs="+", type=Path, metavar="DRILL", help="a drill file (TOML), or a directory of them")
    _add_ledger(p, "keep the ledger the drills wrote here")
    _add_rules(p, "extra rule pack file or directory (repeatable)")
    p.add_argument("--coverage", action="store_true",
                   help="list rules that no drill makes fire; exit 1 when there is any")
    p.add_argument("--coverage-of", action="append", metavar="PACK_ID",
                   help="coverage of this pack's rules only, e.g. your own pack given with --rules "
                        "(repeatable; implies --coverage)")

    # log -------------------------------------------------------------------
    log = top.add_parser(
        "log",
        help="verify and read the ledger",
        description="Check the ledger or an export for tampering (verify), or read it in plain\n"
                    "language (show). Exit 0 fine, 1 a chain that does not verify, 2 unusable input.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    log_sub = log.add_subparsers(title="commands", metavar="COMMAND", required=True, parser_class=_Parser)

    p = _sub(
        log_sub,
        "verify",
        "armory.cli.log:verify",
        "check the hash chain and signatures of a ledger or an export",
        "Recompute the hash chain of a ledger (--ledger) or an exported FILE (jsonl or\n"
        "html) and check every signed checkpoint. --against EARLIER checks that the\n"
        "file extends an earlier export unchanged; --head NOTED checks a head noted on\n"
        "a call sheet (the line 'armory log head' prints); --rows CSV checks a csv\n"
        "export's rows against FILE. Exit 0 intact, 1 with the first bad entry named,\n"
        "2 unusable.",
    )
    p.add_argument("file", nargs="?", type=Path, metavar="FILE",
                   help="a jsonl export or html report to check (default: the ledger, --ledger or $ARMORY_LEDGER)")
    _add_ledger(p)
    _add_production(p)
    p.add_argument("--against", type=Path, metavar="EARLIER", help="an earlier export this one must extend")
    p.add_argument("--head", metavar="NOTED",
                   help="a head noted earlier: the call-sheet line, '#N HEX', or a hash prefix (8+ hex digits)")
    p.add_argument("--rows", type=Path, metavar="CSV",
                   help="a csv export: check every row's fields and hash against FILE's verified entries")
    p.add_argument("--index", type=Path, metavar="INDEX",
                   help="an evidence bundle's index.json: check it is exactly what FILE's chain gives")
    _add_store_reader(p, "armory.cli.studio:verify_store", "verify every unit's chain in the studio store "
                      "instead (--production TITLE: one production's units)")
    p.add_argument("--witness", action="append", metavar="FINGERPRINT|FILE",
                   help="the studio witness key (its fingerprint or key file): cosignatures by any other key fail")

    p = _sub(
        log_sub,
        "head",
        "armory.cli.log:head",
        "print the one line to note on the call sheet: the key and the signed head",
        "Print the ledger's key fingerprint and its signed head as one line for the\n"
        "call sheet (the same line the app shows when a day closes). When entries were\n"
        "written since the last signed checkpoint, one is signed first (a read-only\n"
        "ledger: the last one, with the entries after it named). Exports made while\n"
        "nothing else is recorded carry this same head; check any of them later with\n"
        "armory log verify FILE --head 'LINE'.",
    )
    _add_ledger(p)

    p = _sub(
        log_sub,
        "show",
        "armory.cli.log:show",
        "print the ledger in plain language",
        "Print the ledger's entries in plain language, with filters. A ledger that\n"
        "drills were run against (armory rules test --ledger) holds each drill run in\n"
        "its own scope: every run is shown, each line labelled with its run; --run\n"
        "picks one (--run main: the production's own record).\n"
        "Names and local times come from --production; without it, from the bundled\n"
        "sample whose title the ledger records, else crew ids and UTC.",
    )
    _add_ledger(p)
    _add_production(p, READ_PRODUCTION_HELP)
    p.add_argument("--day", help="only entries of this day (DAY@YYYY-MM-DD: as opened on that local date)")
    p.add_argument("--weapon", help="only entries about this weapon")
    p.add_argument("--person", help="only entries by or about this crew id")
    p.add_argument("--kind", action="append", metavar="KIND",
                   help="only entries of this kind (repeatable): " + ", ".join(LOG_KINDS))
    p.add_argument("--run", metavar="RUN",
                   help="only one run: 'main' (the production's own record), a drill's name (every run of it), "
                        "or a run as each line is labelled (drill:NAME:ID); default: every run")

    p = _sub(
        log_sub,
        "fix-permissions",
        "armory.cli.log:fix_permissions",
        "make the ledger, its key and the device secret readable by their owner only",
        "List the ledger, its -wal and -shm, its signing key and the device secret\n"
        "where other accounts on this computer can read them, and make them private\n"
        "(0600, folders 0700) once you agree. Exports are left as they are.",
    )
    _add_ledger(p)
    _add_production(p)
    p.add_argument("--yes", action="store_true", help="make them private without asking")

    # export ----------------------------------------------------------------
    p = _sub(
        top,
        "export",
        "armory.cli.export:export",
        "write the producer's files: jsonl, csv, html, or an incident evidence bundle",
        "Write the whole chain (jsonl), a spreadsheet (csv) or a self-contained report\n"
        "(html). A signed checkpoint is appended first when the ledger is writable;\n"
        "from a read-only ledger, the chain up to its last signed checkpoint is written\n"
        "and the entries after it are named as left out. --incident SEQ writes an\n"
        "evidence bundle for one incident into --out DIR.",
    )
    _add_ledger(p)
    _add_production(p, READ_PRODUCTION_HELP)
    p.add_argument("--format", choices=["jsonl", "csv", "html"], default=None,
                   help="default: from the --out name's suffix (.jsonl, .csv, .html), else jsonl")
    p.add_argument("--out", required=True, metavar="FILE",
                   help="the file to write (an evidence bundle: a new or empty directory); it must not be a "
                        "device, a pipe or a symbolic link, which the export would replace")
    p.add_argument("--day", help="only this day (the chain still runs from the start); a day id opened on "
                                 "several dates: DAY@YYYY-MM-DD picks the one opened on that local date")
    p.add_argument("--incident", type=int, metavar="SEQ", help="evidence bundle for this incident entry")
    _add_store_reader(p, "armory.cli.studio:export_store", "export from the studio store instead: every unit of "
                      "--production TITLE, side by side (html) or on one timeline (jsonl); with --incident, "
                      "that incident's evidence bundle from the store's copy of --unit's chain")
    p.add_argument("--unit", metavar="NAME", help="with --store --incident: the unit whose incident it is "
                   "(needed when the production has several)")

    # crew ------------------------------------------------------------------
    crew = top.add_parser(
        "crew",
        help="enroll crew credentials",
        description="Set crew members' PINs (enroll) and see who has one (list). A safety\n"
                    "officer's PIN authorizes every enrollment, and each is recorded in the ledger.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    crew_sub = crew.add_subparsers(title="commands", metavar="COMMAND", required=True, parser_class=_Parser)
    p = _sub(
        crew_sub,
        "enroll",
        "armory.cli.crew:enroll",
        "set or change a crew member's PIN",
        "Set CREW_ID's PIN (asked twice, hidden; --pin-stdin for scripts). A safety\n"
        "officer's PIN authorizes it; on a new ledger the first safety officer enrolls\n"
        "themselves. On a bundled sample production (sample = true) the crew's demo\n"
        "PINs are enrolled first, as the app does, so a demo officer PIN authorizes.\n"
        "Stored only as an argon2id hash, never exported; the enrollment is recorded.",
    )
    p.add_argument("crew_id", metavar="CREW_ID", help="the crew id whose PIN is set, as in the production file")
    _add_ledger(p)
    _add_production(p)
    p.add_argument("--by", metavar="OFFICER", help="the authorizing safety officer's crew id")
    p.add_argument("--pin-stdin", action="store_true",
                   help="read the new PIN (and then the officer's PIN) from standard input, one per line")

    p = _sub(crew_sub, "list", "armory.cli.crew:crew_list", "list the crew and who is enrolled")
    _add_ledger(p)
    _add_production(p)

    _add_studio(top)

    return parser


def _add_store_reader(p: argparse.ArgumentParser, handler: str, help_text: str) -> None:
    """``--store [URL]`` on a command that otherwise reads a ledger: given, ``handler`` runs instead."""
    p.add_argument("--store", nargs="?", const="", metavar="URL",
                   help=help_text + " (URL: a libpq URL or service=NAME; default $ARMORY_STORE)")
    p.set_defaults(store_handler=handler)


def _add_studio(top) -> None:
    """``armory sync`` and ``armory studio ...``: the studio store (armory.cli.studio)."""
    store_help = "the studio store: a libpq URL or service=NAME (default $ARMORY_STORE); the password comes " \
                 "from ~/.pgpass or PGPASSWORD and is never printed"
    p = _sub(top, "sync", "armory.cli.studio:sync", "push this unit's new entries to the studio store",
             "Push the entries the studio store does not have yet, checked as log verify\n"
             "would, in one transaction; bring home the studio witness's cosignatures and\n"
             "append them to the ledger. A fork (the store holds other entries) is refused,\n"
             "recorded in the store as a conflict and named by its first differing entry.\n"
             "Exit 0 synced, 1 refused, 2 store unreachable or unusable (nothing lost: sync again).")
    p.add_argument("--store", metavar="URL", help=store_help)
    p.add_argument("--unit", metavar="NAME", help="this unit's name in the store (main, second, splinter...; "
                                                   "default: the name it last synced under, else main)")
    _add_ledger(p)
    _add_production(p)
    studio = top.add_parser(
        "studio", help="the studio store: create it, see every unit, witness heads",
        description="The studio store gathers every unit's ledger of every production in one\n"
                    "PostgreSQL database (see docs/studio.md).",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    studio_sub = studio.add_subparsers(title="commands", metavar="COMMAND", required=True, parser_class=_Parser)
    p = _sub(studio_sub, "init", "armory.cli.studio:init", "create the store's schema and roles (idempotent)",
             "Create the roles armory_owner, armory_writer (INSERT and SELECT only) and\n"
             "armory_reader, and the schema, with triggers refusing UPDATE, DELETE and\n"
             "TRUNCATE; record the schema version. Run as a database owner; safe to run again.")
    p.add_argument("--store", metavar="URL", help=store_help)
    p = _sub(studio_sub, "status", "armory.cli.studio:status",
             "every production and unit, and every open stop, incident and seal, most serious first")
    p.add_argument("--store", metavar="URL", help=store_help)
    p.add_argument("--production", metavar="TITLE", help="only this production (its title, or its file)")
    p = _sub(studio_sub, "witness", "armory.cli.studio:witness", "cosign each unit's new head with the studio's key",
             "For each unit, cosign its head in the store when the chain still holds the\n"
             "last head this witness cosigned and links forward from it; refuse (and record\n"
             "a conflict) otherwise. The key (made on first use) and the state file are the\n"
             "studio's: never on a unit's laptop. Exit 0, 1 when a head was refused, 2 unusable.")
    p.add_argument("--store", metavar="URL", help=store_help)
    p.add_argument("--key", required=True, metavar="FILE", help="the witness's Ed25519 key (PEM; made when missing)")
    p.add_argument("--state", required=True, metavar="FILE",
                   help="the witness's memory: the last head it cosigned per unit (written atomically)")
    p.add_argument("--name", default="armory.studio-witness", help="the witness's name in its signatures")


def _resolve(handler: str):
    module_name, _, func_name = handler.partition(":")
    return getattr(importlib.import_module(module_name), func_name)


def main(argv: list[str] | None = None) -> int:
    # armory uses no pydantic plugin, and looking for them reads every installed package's
    # metadata (~25 ms of each start, bench/startup.py). A user who wants one can set this.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    parser = build_parser()
    args = parser.parse_args(argv)
    # --rules given after the subcommand add to those given before it (see _add_production)
    args.rules = list(getattr(args, "rules", None) or []) + list(vars(args).pop(_SUB_RULES, None) or [])
    from armory.problems import InputError

    handler = args.handler
    if getattr(args, "store", None) is not None and getattr(args, "store_handler", None):
        handler = args.store_handler  # log verify --store, export --store: read the studio store instead
    elif getattr(args, "witness", None) and handler == "armory.cli.log:verify":
        handler = "armory.cli.studio:verify_witnessed"  # and the chain's cosignatures against the studio's key
    import warnings

    from armory.ledger.permissions import ExposedFileWarning

    show_others = warnings.showwarning
    said: set[str] = set()

    def _say(message, category, filename, lineno, file=None, line=None) -> None:
        if issubclass(category, ExposedFileWarning):
            if str(message) not in said:  # a command may open its ledger twice (read first, then write)
                said.add(str(message))
                print(f"armory: warning: {message}", file=sys.stderr)
        else:
            show_others(message, category, filename, lineno, file, line)

    try:
        with warnings.catch_warnings():  # a ledger others can read is said once, as armory says things
            warnings.simplefilter("default", ExposedFileWarning)
            warnings.showwarning = _say
            return int(_resolve(handler)(args) or 0)
    except InputError as err:
        print(f"armory: {err}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("armory: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
