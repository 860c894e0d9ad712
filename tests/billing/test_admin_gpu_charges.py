from __future__ import annotations

from billing.services import cost_record


def test_it_lists_each_attempts_charge_and_tells_those_without_a_result(admin_client, reserved_design, alice):
    design = reserved_design(owner=alice)
    cost_record(design=design, attempt=1, gpu_seconds=42, gpu_type="L4", completed=False)
    cost_record(design=design, attempt=2, gpu_seconds=10, gpu_type="L4")

    everything = admin_client.get("/admin/billing/gpucharge/")
    wasted = admin_client.get("/admin/billing/gpucharge/", {"completed__exact": "0"})

    assert everything.status_code == wasted.status_code == 200
    assert "42.000" in everything.text and "10.000" in everything.text
    assert "42.000" in wasted.text and "10.000" not in wasted.text
