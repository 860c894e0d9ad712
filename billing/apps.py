from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"

    def ready(self) -> None:
        from billing import (
            checks,  # noqa: F401  (registers the settings check)
            signals,  # noqa: F401  (a deleted account stops paying)
        )
