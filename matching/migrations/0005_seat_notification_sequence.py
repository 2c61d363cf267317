from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def told_at_the_current_sequence(apps, schema_editor):
    """What people were told before sequences were stored is the round's current revision."""
    SeatNotification = apps.get_model("matching", "SeatNotification")
    MeetupRound = apps.get_model("conferences", "MeetupRound")
    SeatNotification.objects.update(
        sequence=Subquery(
            MeetupRound.objects.filter(pk=OuterRef("round_id")).values("calendar_sequence")[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("conferences", "0006_round_calendar_sequence"),
        ("matching", "0004_met_prompts"),
    ]

    operations = [
        migrations.AddField(
            model_name="seatnotification",
            name="sequence",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.RunPython(told_at_the_current_sequence, migrations.RunPython.noop),
    ]
