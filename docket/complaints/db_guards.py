"""Database-level refusal of UPDATE and DELETE on the event table (R-ANA-6), per vendor.

Used by the migration that installs the guards. `relax_delete_guard()` exists for one reason: Django's
test flush on SQLite empties tables with DELETE (PostgreSQL uses TRUNCATE, which row triggers do not
see); only the test suite's teardown calls it.
"""

TABLE = "complaints_complaintevent"

POSTGRES_INSTALL = [
    """
    CREATE OR REPLACE FUNCTION docket_event_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'complaint events are append-only (% refused)', TG_OP USING ERRCODE = '42501';
    END
    $$ LANGUAGE plpgsql
    """,
    f"DROP TRIGGER IF EXISTS complaintevent_append_only ON {TABLE}",
    f"""CREATE TRIGGER complaintevent_append_only BEFORE UPDATE OR DELETE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION docket_event_append_only()""",
]
POSTGRES_REMOVE = [
    f"DROP TRIGGER IF EXISTS complaintevent_append_only ON {TABLE}",
    "DROP FUNCTION IF EXISTS docket_event_append_only()",
]
SQLITE_UPDATE = f"""CREATE TRIGGER IF NOT EXISTS complaintevent_no_update BEFORE UPDATE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, 'complaint events are append-only (UPDATE refused)'); END"""
SQLITE_DELETE = f"""CREATE TRIGGER IF NOT EXISTS complaintevent_no_delete BEFORE DELETE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, 'complaint events are append-only (DELETE refused)'); END"""
SQLITE_INSTALL = [SQLITE_UPDATE, SQLITE_DELETE]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS complaintevent_no_update",
    "DROP TRIGGER IF EXISTS complaintevent_no_delete",
]


def _run(connection, statements) -> None:
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def install(connection) -> None:
    if connection.vendor == "postgresql":
        _run(connection, POSTGRES_INSTALL)
    elif connection.vendor == "sqlite":
        _run(connection, SQLITE_INSTALL)


def remove(connection) -> None:
    if connection.vendor == "postgresql":
        _run(connection, POSTGRES_REMOVE)
    elif connection.vendor == "sqlite":
        _run(connection, SQLITE_REMOVE)


def relax_delete_guard(connection) -> None:
    if connection.vendor == "sqlite":
        _run(connection, ["DROP TRIGGER IF EXISTS complaintevent_no_delete"])


def restore_delete_guard(connection) -> None:
    if connection.vendor == "sqlite":
        _run(connection, [SQLITE_DELETE])
