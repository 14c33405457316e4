"""API tokens stored as their SHA-256, with an expiry and a revocation time.

Existing tokens of DRF's `authtoken` (kept in clear in `authtoken_token`) are carried over, hashed,
so the payroll software already configured keeps working until the new expiry (API_TOKEN_DAYS
from the deploy); then the clear keys are deleted. `rest_framework.authtoken` is no longer
installed, so its table is read with SQL, and only where it exists (a new database has none).
"""

import datetime as dt
import hashlib

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

OLD_TABLE = "authtoken_token"


def hash_existing_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if OLD_TABLE not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("anagrafica", "ApiToken")
    expires_at = django.utils.timezone.now() + dt.timedelta(days=settings.API_TOKEN_DAYS)
    with connection.cursor() as cursor:
        # OLD_TABLE is this module's constant, never input.
        cursor.execute(f'SELECT "key", "user_id", "created" FROM {OLD_TABLE}')  # noqa: S608  # nosec B608
        rows = cursor.fetchall()
        ApiToken.objects.bulk_create(
            ApiToken(
                user_id=user_id,
                prefix=key[:8],
                digest=hashlib.sha256(key.encode()).hexdigest(),
                created_at=created,
                expires_at=expires_at,
            )
            for key, user_id, created in rows
        )
        # OLD_TABLE is this module's constant, never input.
        cursor.execute(f"DELETE FROM {OLD_TABLE}")  # noqa: S608  # nosec B608


class Migration(migrations.Migration):
    dependencies = [
        ("anagrafica", "0003_lato_impresa_senza_ruolo_ufficio"),
    ]

    operations = [
        migrations.CreateModel(
            name="ApiToken",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "prefix",
                    models.CharField(help_text="Per riconoscerlo.", max_length=8, verbose_name="inizio del token"),
                ),
                ("digest", models.CharField(max_length=64, unique=True, verbose_name="impronta SHA-256")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="creato il")),
                ("expires_at", models.DateTimeField(verbose_name="scade il")),
                ("revoked_at", models.DateTimeField(blank=True, null=True, verbose_name="revocato il")),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="api_tokens",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="utente",
                    ),
                ),
            ],
            options={
                "verbose_name": "token API",
                "verbose_name_plural": "token API",
                "indexes": [models.Index(fields=["user", "revoked_at"], name="apitoken_user_revoked")],
            },
        ),
        migrations.RunPython(hash_existing_tokens, migrations.RunPython.noop),
    ]
