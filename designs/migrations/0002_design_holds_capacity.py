from django.db import migrations, models


class Migration(migrations.Migration):
    """The global caps count designs that hold capacity (designs.models.HOLDS_CAPACITY) through this index."""

    dependencies = [
        ("designs", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="design",
            index=models.Index(
                condition=models.Q(("started_at__isnull", False),
                                   models.Q(("status__in", ["cancelled", "failed"]), _negated=True), _connector="OR"),
                fields=["created_at"], name="design_holds_capacity",
            ),
        ),
    ]
