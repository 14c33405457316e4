"""SQL that only PostgreSQL runs: triggers and partial indexes that keep the register and the history
append-only. The embedded default (SQLite) is for development and has neither."""

from django.db import migrations


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
    app's first migration both describe it, neither depends on the other, and whichever runs first on
    a new database creates the table. On an existing database the table is already there.
    """

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.name)
        if model._meta.db_table not in schema_editor.connection.introspection.table_names():
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        table = from_state.apps.get_model(app_label, self.name)._meta.db_table
        # Unapplied while the other app's model still names the table: the table is not ours to drop.
        still_described = any(
            (state.options.get("db_table") or f"{label}_{name}") == table
            for (label, name), state in to_state.models.items()
        )
        if not still_described and table in schema_editor.connection.introspection.table_names():
            super().database_backwards(app_label, schema_editor, from_state, to_state)
