"""SQL that only PostgreSQL runs: triggers and partial indexes that keep the register and the history
append-only. The embedded default (SQLite) is for development and has neither."""

from django.contrib.postgres.indexes import PostgresIndex
from django.contrib.postgres.operations import AddIndexConcurrently as PostgresAddIndexConcurrently
from django.db import connection, migrations
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Model


def postgresql_only(forward: str, backward: str) -> migrations.RunPython:
    """A migration operation running `forward` (and `backward` to reverse it) on PostgreSQL only."""

    def run(sql: str):
        def apply(apps, schema_editor):
            if schema_editor.connection.vendor == "postgresql":
                # No parameters: PL/pgSQL bodies contain "%" placeholders of RAISE.
                with schema_editor.connection.cursor() as cursor:
                    cursor.execute(sql)

        return apply

    return migrations.RunPython(run(forward), run(backward))


class CreateModelIfMissing(migrations.CreateModel):
    """CreateModel whose table is created only if no migration created it yet.

    For a model that moved between apps keeping its table: the old app's first migration and the new
    app's first migration both describe it (`also_created_by` names the other one), neither depends on
    the other, and whichever runs first on a new database creates the table. On an existing database
    the table is already there. Unapplied, it drops the table only if the other migration is not
    applied either.
    """

    def __init__(self, *args, also_created_by: tuple[str, str], **kwargs):
        self.also_created_by = also_created_by
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, args, kwargs = super().deconstruct()
        return name, args, {**kwargs, "also_created_by": self.also_created_by}

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.name)
        if model._meta.db_table not in schema_editor.connection.introspection.table_names():
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        applied = MigrationRecorder(schema_editor.connection).applied_migrations()
        if self.also_created_by not in applied:
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class AddIndexConcurrently(PostgresAddIndexConcurrently):
    """An index built without locking the table against writes (`CREATE INDEX CONCURRENTLY`): the
    migration that uses it must say `atomic = False`. On the embedded SQLite a plain index, and none
    of the PostgreSQL-only kinds (GIN)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)
        elif not isinstance(self.index, PostgresIndex):
            migrations.AddIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
        elif not isinstance(self.index, PostgresIndex):
            migrations.AddIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)


def drop_indexes_concurrently(*names: str) -> migrations.RunPython:
    """Drop indexes by name: `DROP INDEX CONCURRENTLY` on PostgreSQL, so the table stays writable (the
    migration must say `atomic = False`), a plain `DROP INDEX` on SQLite. For the database side of a
    `SeparateDatabaseAndState` whose state side says which indexes go. Backwards it rebuilds nothing:
    use it only for indexes that others already cover."""

    def drop(apps, schema_editor):
        concurrently = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
        quote = schema_editor.quote_name
        for name in names:
            schema_editor.execute(f"DROP INDEX {concurrently}IF EXISTS {quote(name)}")

    return migrations.RunPython(drop, migrations.RunPython.noop, atomic=False)


def quoted_tables(**models: type[Model]) -> dict[str, str]:
    """The quoted table names of `models`, for raw SQL written with `str.format` ("FROM {righe}") that
    runs on PostgreSQL and on the embedded SQLite alike."""
    return {name: connection.ops.quote_name(model._meta.db_table) for name, model in models.items()}
