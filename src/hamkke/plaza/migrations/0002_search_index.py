"""The full-text index on the search chunks: an FTS5 table kept in step by triggers on SQLite,
a GIN index over the weighted tsvector on PostgreSQL (plaza/search_index.py holds the SQL)."""

from django.db import migrations


def _statements(vendor: str, create: bool) -> list[str]:
    from hamkke.plaza import search_index

    if vendor == "postgresql":
        return search_index.PG_CREATE if create else search_index.PG_DROP
    if vendor == "sqlite":
        return search_index.SQLITE_CREATE if create else search_index.SQLITE_DROP
    raise RuntimeError(f"The Plaza's search needs SQLite or PostgreSQL, not {vendor}.")


def create(apps, schema_editor):
    for statement in _statements(schema_editor.connection.vendor, True):
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    for statement in _statements(schema_editor.connection.vendor, False):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("plaza", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
