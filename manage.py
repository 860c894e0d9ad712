#!/usr/bin/env python
from __future__ import annotations

import os
import sys

if __name__ == "__main__":
    from config.dotenv import load_dotenv

    load_dotenv()  # .env, as `make run` reads it (config/dotenv.py): `make superuser` then uses the same database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    from config import embedded_redis

    embedded_redis.ensure_configured()  # development without REDIS_URL: runserver, rundramatiq, shell, ...
    execute_from_command_line(sys.argv)
