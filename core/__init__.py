"""The layer under the apps: what every app shares (the error shape, client addresses, rate limits, logs,
middleware bases, the cache, readiness). It imports no app and not config; tools/imports.py checks that."""
