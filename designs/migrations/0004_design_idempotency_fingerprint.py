from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("designs", "0003_design_queue_priority"),
    ]

    operations = [
        migrations.AddField(
            model_name="design",
            name="idempotency_fingerprint",
            field=models.CharField(blank=True, db_default="", default="", max_length=64),
        ),
    ]
