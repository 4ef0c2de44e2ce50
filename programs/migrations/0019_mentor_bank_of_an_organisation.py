import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def owners_from_applications(apps, schema_editor):
    MentorBankEntry = apps.get_model("programs", "MentorBankEntry")
    Application = apps.get_model("programs", "Application")
    MentorBankEntry.objects.update(
        owner_id=models.Subquery(
            Application.objects.filter(pk=models.OuterRef("application_id")).values(
                "program__owner_id"
            )[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0018_organization_coordinators"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="mentorbankentry",
            name="owner",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="mentor_bank",
                to="programs.organization",
                verbose_name="organisation",
            ),
        ),
        migrations.RunPython(owners_from_applications, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="mentorbankentry",
            name="owner",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="mentor_bank",
                to="programs.organization",
                verbose_name="organisation",
            ),
        ),
        migrations.AlterField(
            model_name="mentorbankentry",
            name="mentor",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="mentor_bank_entries",
                to=settings.AUTH_USER_MODEL,
                verbose_name="mentor",
            ),
        ),
        migrations.AlterField(
            model_name="mentorbankentry",
            name="application",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="bank_entries",
                to="programs.application",
                verbose_name="from application",
            ),
        ),
        migrations.AddField(
            model_name="mentorbankentry",
            name="note",
            field=models.CharField(
                blank=True,
                help_text="Why and when the mentor joined, as the coordinators' list says.",
                max_length=200,
                verbose_name="note",
            ),
        ),
        migrations.AddConstraint(
            model_name="mentorbankentry",
            constraint=models.UniqueConstraint(
                fields=("owner", "mentor"), name="one_bank_entry_per_owner"
            ),
        ),
    ]
