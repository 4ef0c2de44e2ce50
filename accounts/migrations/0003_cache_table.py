"""The database cache's table (allauth's rate limits live there outside debug): created by
migrate, so that no deployment can forget it. Nothing happens when the cache is elsewhere."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_user_meeting_reminders_user_monthly_reminders")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
