"""The four built-in plans. Values are copied here, not imported, so this migration means the same forever;
staff change the numbers in the admin afterwards."""
from decimal import Decimal

from django.db import migrations

PLANS = [
    ("guest", "Guest", 3, 1, 512, 0, Decimal("0")),
    ("free", "Free", 5, 2, 768, 1, Decimal("0")),
    ("premium", "Premium", 20, 4, 1024, 5, Decimal("12.00")),
    ("staff", "Staff", 100, 4, 1024, 9, Decimal("0")),
]


def create_plans(apps, schema_editor):
    Plan = apps.get_model("billing", "Plan")
    for code, name, daily_limit, max_variations, max_resolution, priority, price in PLANS:
        Plan.objects.get_or_create(code=code, defaults={
            "name": name, "daily_limit": daily_limit, "max_variations": max_variations,
            "max_resolution": max_resolution, "queue_priority": priority, "monthly_price": price,
        })


class Migration(migrations.Migration):

    dependencies = [("billing", "0001_initial")]

    operations = [migrations.RunPython(create_plans, migrations.RunPython.noop)]
