"""`manage.py purge_guest_designs`: delete guests' designs past their retention now, the same way the hourly job
does (designs/retention.py). `--dry-run` only counts them; `--days N` overrides GUEST_RETENTION_DAYS once."""
from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from designs.retention import guest_designs_expired, guest_designs_purge


class Command(BaseCommand):
    help = "Delete guest designs (and their files) uploaded more than GUEST_RETENTION_DAYS days ago."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--days", type=int, default=None, help="Override GUEST_RETENTION_DAYS for this run.")
        parser.add_argument("--dry-run", action="store_true", help="Count what would be deleted; delete nothing.")

    def handle(self, *args, days: int | None, dry_run: bool, **options) -> None:
        days = settings.GUEST_RETENTION_DAYS if days is None else days
        if days <= 0:
            raise CommandError("Retention is off (0 days): nothing is purged. Pass --days N to purge anyway.")
        if dry_run:
            self.stdout.write(f"{guest_designs_expired(days=days).count()} guest designs are older than {days} days.")
            return
        total = 0
        while purged := guest_designs_purge(days=days):  # batch by batch, so a backlog never loads at once
            total += purged
        self.stdout.write(f"Deleted {total} guest designs older than {days} days.")
