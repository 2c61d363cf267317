from django.db import migrations, models


def continue_published_sequences(apps, schema_editor):
    """Calendar events already sent carried the publication time in whole seconds as their
    SEQUENCE; the stored sequence starts there so that the next revision still supersedes them."""
    MeetupRound = apps.get_model("conferences", "MeetupRound")
    for meetup_round in MeetupRound.objects.filter(published_at__isnull=False).only(
        "pk", "published_at"
    ):
        MeetupRound.objects.filter(pk=meetup_round.pk).update(
            calendar_sequence=int(meetup_round.published_at.timestamp())
        )


class Migration(migrations.Migration):
    dependencies = [
        ("conferences", "0005_import_mappings"),
    ]

    operations = [
        migrations.AddField(
            model_name="meetupround",
            name="calendar_sequence",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(continue_published_sequences, migrations.RunPython.noop),
    ]
