#!/bin/sh
# Picks the role from the first argument: web (default), worker, migrate, or any command.
set -e
case "${1:-web}" in
  web) exec uvicorn config.asgi:application --host 0.0.0.0 --port "$PORT" --workers "$WEB_CONCURRENCY" --proxy-headers ;;
  worker) exec python manage.py rundramatiq --processes "${WORKER_PROCESSES:-2}" --threads "${WORKER_THREADS:-4}" ;;
  migrate) exec python manage.py migrate --noinput ;;
  *) exec "$@" ;;
esac
