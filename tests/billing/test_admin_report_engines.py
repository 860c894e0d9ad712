"""The usage report's table per GPU engine: designs, attempts, results, faults, success rate and cost, with a
design that failed over counted on each engine it tried."""
from __future__ import annotations

from decimal import Decimal

from billing.services import cost_record
from designs import engines


def attempt(design, number: int, engine: str, outcome: str, seconds: float | None = None, gpu_type: str = "L4"):
    engines.attempt_begin(design, number, engine)
    engines.attempt_end(design, number, engine, outcome)
    if seconds is not None:
        cost_record(design=design, attempt=number, gpu_seconds=seconds, gpu_type=gpu_type, backend=engine,
                    completed=outcome == "completed")


def test_it_reports_designs_success_and_cost_by_engine(admin_client, reserved_design, alice, settings):
    settings.ENGINE_BREAKER_FAILURES = 100
    failed_over, plain, cancelled = (reserved_design(owner=alice) for _ in range(3))
    attempt(failed_over, 1, "modal", "backend_timeout", seconds=10)
    attempt(failed_over, 2, "replicate", "completed", seconds=4, gpu_type="replicate-L40S")
    attempt(plain, 1, "modal", "completed", seconds=20)
    attempt(cancelled, 1, "modal", "cancelled")
    attempt(cancelled, 2, "replicate", "backend_unavailable")  # never reached a GPU: no charge

    response = admin_client.get("/admin/billing/usagereport/", {"days": "7"})

    assert response.status_code == 200
    rows = {row["engine"]: row for row in response.context["engine_rows"]}
    assert {k: rows["modal"][k] for k in ("designs", "attempts", "completed", "faults", "success_percent")} == {
        "designs": 3, "attempts": 3, "completed": 1, "faults": 1, "success_percent": 50.0}
    assert rows["modal"]["cost_usd"] == Decimal("0.006660")  # 30 s at L4's 0.000222
    assert {k: rows["replicate"][k] for k in ("designs", "attempts", "completed", "faults", "success_percent")} == {
        "designs": 2, "attempts": 2, "completed": 1, "faults": 1, "success_percent": 50.0}
    assert rows["replicate"]["cost_usd"] == Decimal("0.003900")  # 4 s at replicate-L40S's 0.000975
    assert b'id="report-engines"' in response.content and b"replicate" in response.content
