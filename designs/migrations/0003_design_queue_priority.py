from django.db import migrations, models


class Migration(migrations.Migration):
    """A design keeps its plan's queue priority from submit, for every later send of its job."""

    dependencies = [
        ("designs", "0002_design_holds_capacity"),
    ]

    operations = [
        migrations.AddField(
            model_name="design",
            name="queue_priority",
            field=models.PositiveSmallIntegerField(default=0),
        ),
    ]
