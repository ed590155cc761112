"""The studio store: every unit's ledger of every production in one PostgreSQL database.

The laptop's SQLite ledger stays the unit's own record; this package pushes
it to the store (``armory sync``), witnesses the heads it holds (``armory
studio witness``) and reads across units (``studio status``, ``log verify
--store``, ``export --store``). It sits beside the ledger and is used only by
the faces (cli, tui) and export: the ledger never imports it.
"""
