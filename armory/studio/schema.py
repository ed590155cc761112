"""The store's schema, its roles and its versions: ``armory studio init``.

One schema, ``armory``, recorded with its version in ``armory.schema_version``
so that a later armory can migrate it: :data:`MIGRATIONS` is the list of
steps, each applied once, in order, in one transaction under an advisory lock
(two inits at once queue).

Append-only in the database itself: the tables that are evidence (units,
entries, cosignatures, conflicts) refuse UPDATE, DELETE and TRUNCATE by
trigger, whoever asks, and the writer role may only INSERT into them and
SELECT. ``armory.heads`` is the one table a writer updates: a summary kept
at each push so that ``studio status`` never re-reads whole chains. Nothing
reads it as evidence; ``log verify --store`` checks the entries themselves.
``armory.conflict_repeats`` is the other: how often a recorded refusal was
seen again (:mod:`armory.studio.conflicts`).

Roles (group roles, NOLOGIN: grant them to the login roles people use):

- ``armory_owner`` owns the schema (and so may drop a trigger: that is what
  ``log verify --store`` is for);
- ``armory_writer`` pushes entries, cosignatures and conflicts (units and the witness);
- ``armory_reader`` reads (the safety office, the producer).
"""

from __future__ import annotations

from dataclasses import dataclass

SCHEMA = "armory"
OWNER, WRITER, READER = "armory_owner", "armory_writer", "armory_reader"
ROLES = (OWNER, WRITER, READER)
APPEND_ONLY = ("units", "entries", "cosignatures", "conflicts")
#: Entry kinds ``studio status`` reads, kept in a partial index so it never scans a chain.
NOTABLE_KINDS = ("stop", "clearance", "incident", "incident_reviewed", "seal", "custody_transfer")
_LOCK = 0x41524D59  # "ARMY": the advisory lock two inits (or migrations) queue on


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    statements: tuple[str, ...]


_V1 = (
    f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}",
    f"""CREATE TABLE {SCHEMA}.schema_version (
        version integer PRIMARY KEY,
        description text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
    )""",
    # One row per unit ledger. (production_title, unit) is unique: a second ledger claiming a unit
    # that another one holds is refused as a conflict, never merged.
    f"""CREATE TABLE {SCHEMA}.units (
        ledger_id text PRIMARY KEY,
        production_title text NOT NULL,
        unit text NOT NULL,
        key_fingerprint text NOT NULL,
        public_key text NOT NULL,
        first_seen timestamptz NOT NULL DEFAULT now(),
        first_host text NOT NULL DEFAULT '',
        UNIQUE (production_title, unit)
    )""",
    # body: the exact canonical bytes that were hashed; doc: the same entry as JSON, for queries.
    # No foreign key to units: the unit row is written in the same transaction, verify checks both,
    # and a per-row key check would halve the rate of a push.
    f"""CREATE TABLE {SCHEMA}.entries (
        ledger_id text NOT NULL,
        seq bigint NOT NULL,
        time text NOT NULL,
        kind text NOT NULL,
        who text,
        scope text NOT NULL,
        hash text NOT NULL UNIQUE,
        body bytea NOT NULL,
        doc jsonb NOT NULL,
        PRIMARY KEY (ledger_id, seq)
    )""",
    f"""CREATE INDEX entries_notable ON {SCHEMA}.entries (ledger_id, kind, seq)
        WHERE kind IN ({", ".join(f"'{kind}'" for kind in NOTABLE_KINDS)})""",
    f"""CREATE TABLE {SCHEMA}.heads (
        ledger_id text PRIMARY KEY,
        head_seq bigint NOT NULL DEFAULT 0,
        head_hash text NOT NULL DEFAULT '',
        head_time text NOT NULL DEFAULT '',
        head_kind text NOT NULL DEFAULT '',
        signed_through bigint NOT NULL DEFAULT 0,
        last_sync_at timestamptz,
        last_sync_host text NOT NULL DEFAULT ''
    )""",
    f"""CREATE TABLE {SCHEMA}.cosignatures (
        ledger_id text NOT NULL,
        seq bigint NOT NULL,
        hash text NOT NULL,
        witness_name text NOT NULL,
        witness_fingerprint text NOT NULL,
        witness_public_key text NOT NULL,
        note text NOT NULL,
        signed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (ledger_id, seq, witness_fingerprint)
    )""",
    f"""CREATE TABLE {SCHEMA}.conflicts (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        ledger_id text NOT NULL,
        production_title text NOT NULL,
        unit text NOT NULL,
        first_seq bigint NOT NULL,
        store_hash text NOT NULL,
        pushed_hash text NOT NULL,
        host text NOT NULL,
        found_by text NOT NULL,
        reason text NOT NULL
    )""",
    f"CREATE INDEX conflicts_ledger ON {SCHEMA}.conflicts (ledger_id)",
    f"""CREATE FUNCTION {SCHEMA}.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'the studio record is append-only: % on %.% is refused', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END $$""",
    *(statement for table in APPEND_ONLY for statement in (
        f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {SCHEMA}.{table}
            FOR EACH ROW EXECUTE FUNCTION {SCHEMA}.refuse_change()""",
        f"""CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {SCHEMA}.{table}
            FOR EACH STATEMENT EXECUTE FUNCTION {SCHEMA}.refuse_change()""",
    )),
    # ownership and grants: the writer inserts and reads, the reader reads
    f"ALTER SCHEMA {SCHEMA} OWNER TO {OWNER}",
    *(f"ALTER TABLE {SCHEMA}.{table} OWNER TO {OWNER}"
      for table in ("schema_version", *APPEND_ONLY, "heads")),
    f"ALTER FUNCTION {SCHEMA}.refuse_change() OWNER TO {OWNER}",
    f"REVOKE ALL ON ALL TABLES IN SCHEMA {SCHEMA} FROM PUBLIC",
    f"GRANT USAGE ON SCHEMA {SCHEMA} TO {WRITER}, {READER}",
    f"GRANT SELECT ON ALL TABLES IN SCHEMA {SCHEMA} TO {WRITER}, {READER}",
    f"GRANT INSERT ON {', '.join(f'{SCHEMA}.{table}' for table in APPEND_ONLY)} TO {WRITER}",
    f"GRANT INSERT, UPDATE ON {SCHEMA}.heads TO {WRITER}",
)

# A refusal repeated (every sync of a laptop left behind, every witness run) is one conflict row and a count.
_V2 = (
    f"""CREATE TABLE {SCHEMA}.conflict_repeats (
        conflict_id bigint PRIMARY KEY REFERENCES {SCHEMA}.conflicts (id),
        times bigint NOT NULL,
        last_at timestamptz NOT NULL,
        last_host text NOT NULL
    )""",
    f"""CREATE INDEX conflicts_same ON {SCHEMA}.conflicts
        (ledger_id, production_title, unit, reason, found_by, first_seq)""",
    f"ALTER TABLE {SCHEMA}.conflict_repeats OWNER TO {OWNER}",
    f"REVOKE ALL ON {SCHEMA}.conflict_repeats FROM PUBLIC",
    f"GRANT SELECT ON {SCHEMA}.conflict_repeats TO {WRITER}, {READER}",
    f"GRANT INSERT, UPDATE ON {SCHEMA}.conflict_repeats TO {WRITER}",
)

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "the studio record: units, entries, heads, cosignatures, conflicts", _V1),
    Migration(2, "a refusal seen again is counted, not written again", _V2),
)
VERSION = MIGRATIONS[-1].version


def _create_roles(cur) -> list[str]:
    made = []
    for role in ROLES:
        cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,))
        if cur.fetchone() is None:
            cur.execute(f"CREATE ROLE {role} NOLOGIN")
            made.append(role)
    return made


def current_version(cur) -> int:
    """The schema version the store records (0: no armory schema yet)."""
    cur.execute("SELECT to_regclass(%s)", (f"{SCHEMA}.schema_version",))
    if cur.fetchone()[0] is None:
        return 0
    cur.execute(f"SELECT coalesce(max(version), 0) FROM {SCHEMA}.schema_version")
    return cur.fetchone()[0]


def init(conn) -> list[str]:
    """Create the roles and bring the schema to :data:`VERSION`; returns what was done, one line each.

    Safe to run again: roles and steps already there are left as they are. Runs in one
    transaction, so a failure leaves the store as it was.
    """
    said: list[str] = []
    with conn.transaction(), conn.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK,))
        made = _create_roles(cur)
        said.append(f"roles: created {', '.join(made)}" if made else f"roles: {', '.join(ROLES)} already there")
        version = current_version(cur)
        if version > VERSION:
            from armory.problems import InputError

            raise InputError(f"the store's schema is at version {version}, newer than this armory knows "
                             f"({VERSION}): upgrade armory; nothing was changed")
        for migration in MIGRATIONS:
            if migration.version <= version:
                continue
            for statement in migration.statements:
                cur.execute(statement)
            cur.execute(f"INSERT INTO {SCHEMA}.schema_version (version, description) VALUES (%s, %s)",
                        (migration.version, migration.description))
            said.append(f"schema {SCHEMA}: applied version {migration.version} ({migration.description})")
        if version == VERSION:
            said.append(f"schema {SCHEMA}: already at version {VERSION}, nothing to change")
    return said


def require_schema(cur) -> None:
    """InputError unless the store holds this armory's schema (so a push names the fix, not a SQL error)."""
    from armory.problems import InputError

    version = current_version(cur)
    if version == 0:
        raise InputError("the studio store has no armory schema yet: run `armory studio init --store URL` "
                         "as its owner first")
    if version > VERSION:
        raise InputError(f"the store's schema is at version {version}, newer than this armory knows ({VERSION}): "
                         "upgrade armory")
