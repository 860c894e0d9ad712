#!/bin/sh
# Picks the role from the first argument: web (default), worker, migrate, or any other command as given.
set -e

case "${1:-web}" in
  web)
    # Several uvicorn processes share their Prometheus samples through files here (config/metrics.py);
    # a fresh start begins from empty files, as a restarted single process would.
    export PROMETHEUS_MULTIPROC_DIR="${PROMETHEUS_MULTIPROC_DIR:-/tmp/prometheus}"
    rm -rf "$PROMETHEUS_MULTIPROC_DIR" && mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
    # Access lines come from Django (JSON, with the request id). config/serve.py adds the options `make run`
    # uses too: no proxy-header rewriting (client IPs come from NUM_PROXIES, in one place) and connection limits.
    exec python -m config.serve --host 0.0.0.0 --port "$PORT" --workers "$WEB_CONCURRENCY" \
      --lifespan off --no-access-log --timeout-graceful-shutdown 30
    ;;
  worker)
    # The worker's processes add up their metrics through files here, served on WORKER_METRICS_PORT
    # (config/worker_metrics.py): a folder of its own, never the web's, emptied at each start.
    export PROMETHEUS_MULTIPROC_DIR="${WORKER_METRICS_DIR:-/tmp/prometheus-worker}"
    rm -rf "$PROMETHEUS_MULTIPROC_DIR" && mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
    # On SIGTERM each running design is handed back to the queue at once (designs.worker.design_hand_back) and
    # another worker takes it; only a thread stuck past the timeout waits for its lease to run out instead.
    # No --queues: every declared queue is consumed (gpu-priority before gpu, then default for the reaper).
    exec python manage.py rundramatiq --processes "${WORKER_PROCESSES:-2}" --threads "${WORKER_THREADS:-4}" \
      --worker-shutdown-timeout "${WORKER_SHUTDOWN_TIMEOUT_MS:-25000}"
    ;;
  migrate)
    unset PROMETHEUS_MULTIPROC_DIR
    exec python manage.py migrate --noinput
    ;;
  *)
    unset PROMETHEUS_MULTIPROC_DIR
    exec "$@"
    ;;
esac
