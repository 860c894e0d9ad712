#!/usr/bin/env python
from __future__ import annotations

import os
import sys

if __name__ == "__main__":
    from config.dotenv import load_dotenv

    load_dotenv()  # .env, as `make run` reads it (config/dotenv.py): `make superuser` then uses the same database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
