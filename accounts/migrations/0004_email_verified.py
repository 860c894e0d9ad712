from django.db import migrations, models


def verify_existing(apps, schema_editor):
    # Accounts made before addresses were confirmed keep the plan they had.
    apps.get_model("accounts", "User").objects.update(email_verified=True)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_token_webhooks")]

    operations = [
        migrations.AddField(model_name="user", name="email_verified", field=models.BooleanField(default=False)),
        migrations.RunPython(verify_existing, migrations.RunPython.noop),
    ]
