"""The database cache's table (allauth's rate limits live there outside debug), made by migrate
whatever cache this run of migrate is configured with: a `make test` before a `make run`, or a
deployment that migrates with other settings, must not leave it missing (every log-in would be
a 500). Another table name than the default needs `manage.py createcachetable`."""

from django.core.management.commands.createcachetable import Command
from django.db import migrations

TABLE = "django_cache"  # CACHE_URL's default outside debug: dbcache://django_cache


def create_cache_table(apps, schema_editor):
    command = Command()
    command.verbosity = 0  # (it says nothing when the table is there already)
    command.create_table(schema_editor.connection.alias, TABLE, dry_run=False)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_user_meeting_reminders_user_monthly_reminders")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
