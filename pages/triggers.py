"""Triggers that record, in pages_change, whose pages a changed row is shown on.

Every insert, update and delete of a row of a table in WATCHED adds a row to
pages_change naming the user whose pages show it, in the same statement and the same
transaction, whatever wrote it: a view, a task, the admin, a queryset's update() or
plain SQL. A kept page (pages/keep.py) is therefore never older than what it shows.

A table a kept page shows must be listed here, with how a row of it finds its user
({row} stands for NEW or OLD); EVERYONE for a row every user's pages may show. The
triggers are (re)made after every migrate, since SQLite drops them when a migration
rebuilds a table; tests/pages/test_triggers.py checks that each table has them.
"""

import functools
import logging

from django.db import connections, transaction

log = logging.getLogger(__name__)

CHANGES = "pages_change"
VENDORS = ("postgresql", "sqlite")
EVENTS = ("insert", "update", "delete")  # SQLite's triggers: one for each
EVERYONE = 0  # the user of a change every user's pages may show

_TUNE_OWNER = "(SELECT owner_id FROM tunes_tune WHERE id = {row}.tune_id)"
WATCHED = {
    "auth_user": "{row}.id",
    "auth_user_groups": "{row}.user_id",
    "auth_user_user_permissions": "{row}.user_id",
    "account_emailaddress": "{row}.user_id",
    "accounts_accountdeletion": "{row}.user_id",
    "astria_portal_quota": "{row}.user_id",
    "astria_portal_usage": "{row}.user_id",
    "billing_creditbalance": "{row}.user_id",
    "billing_creditentry": "{row}.user_id",
    "billing_checkout": "{row}.user_id",
    "tunes_tune": "{row}.owner_id",
    "tunes_trainingimage": _TUNE_OWNER,
    "prompts_prompt": _TUNE_OWNER,
    "prompts_generatedimage": (
        "(SELECT tune.owner_id FROM prompts_prompt prompt"
        " JOIN tunes_tune tune ON tune.id = prompt.tune_id WHERE prompt.id = {row}.prompt_id)"
    ),
    "packs_packorder": _TUNE_OWNER,
    "packs_packprompt": (
        "(SELECT tune.owner_id FROM packs_packorder pack_order"
        " JOIN tunes_tune tune ON tune.id = pack_order.tune_id"
        " WHERE pack_order.id = {row}.order_id)"
    ),
    # Shown to everyone: prices, credit packs and the packs on offer; what a group may
    # do (the admin's lists and menus).
    "auth_group_permissions": str(EVERYONE),
    "billing_price": str(EVERYONE),
    "billing_creditpack": str(EVERYONE),
    "packs_pack": str(EVERYONE),
}


def _record(owners):
    return f"INSERT INTO {CHANGES} (user_id) SELECT owner FROM ({owners}) AS owners WHERE owner IS NOT NULL;"  # noqa: E501, S608


def _owners(owner, event):
    new, old = owner.format(row="NEW"), owner.format(row="OLD")
    if event == "INSERT":
        return f"SELECT {new} AS owner"
    if event == "DELETE":
        return f"SELECT {old} AS owner"
    return f"SELECT {new} AS owner UNION SELECT {old}"


def statements(vendor, table, owner):
    """The SQL that (re)makes the table's triggers."""
    name = f"{CHANGES}_{table}"
    if vendor == "sqlite":
        made = []
        for event in EVENTS:
            trigger = f"{name}_{event}"
            made += [
                f'DROP TRIGGER IF EXISTS "{trigger}"',
                f'CREATE TRIGGER "{trigger}" AFTER {event.upper()} ON "{table}" FOR EACH ROW '
                f"BEGIN {_record(_owners(owner, event.upper()))} END",
            ]
        return made
    body = (
        f"IF TG_OP = 'INSERT' THEN {_record(_owners(owner, 'INSERT'))} "
        f"ELSIF TG_OP = 'DELETE' THEN {_record(_owners(owner, 'DELETE'))} "
        f"ELSE {_record(_owners(owner, 'UPDATE'))} END IF; RETURN NULL;"
    )
    return [
        f'CREATE OR REPLACE FUNCTION "{name}"() RETURNS trigger LANGUAGE plpgsql '
        f"AS $$ BEGIN {body} END $$",
        f'DROP TRIGGER IF EXISTS "{CHANGES}" ON "{table}"',
        f'CREATE TRIGGER "{CHANGES}" AFTER INSERT OR UPDATE OR DELETE ON "{table}" '
        f'FOR EACH ROW EXECUTE FUNCTION "{name}"()',
    ]


def watching(connection):
    """Whether this database records changes: a vendor that has the triggers, and every
    watched table has them (checked once per process and database; pages are kept
    only where it does)."""
    return connection.vendor in VENDORS and _complete(connection.alias)


@functools.cache
def _complete(alias):
    connection = connections[alias]
    if connection.vendor == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        expected = {f"{CHANGES}_{table}_{event}" for table in WATCHED for event in EVENTS}
    else:
        sql = f"SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname = '{CHANGES}'"  # noqa: S608
        expected = set(WATCHED)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        missing = expected - {name for (name,) in cursor.fetchall()}
    if missing:
        log.warning("Pages are not kept: triggers missing: %s", ", ".join(sorted(missing)))
    return not missing


def install(connection):
    """Make the triggers of every watched table the database has."""
    if connection.vendor not in VENDORS:
        return
    tables = set(connection.introspection.table_names())
    if CHANGES not in tables:
        return
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for table, owner in WATCHED.items():
            if table in tables:
                for statement in statements(connection.vendor, table, owner):
                    cursor.execute(statement)
    _complete.cache_clear()


def install_after_migrate(using, **kwargs):
    install(connections[using])
