from __future__ import annotations

from decimal import Decimal

from django.test import override_settings

from billing.models import GpuCharge
from billing.selectors import gpu_spend
from billing.services import cost_record
from billing.subjects import utc_today


def test_it_prices_gpu_seconds_by_gpu_type(design_row, alice, reserved_design):
    design = reserved_design(owner=alice)
    assert cost_record(design=design, attempt=1, gpu_seconds=10, gpu_type="L4") == 0.00222
    charge = GpuCharge.objects.get(design=design)
    assert (charge.gpu_seconds, charge.cost_usd, charge.user, charge.plan_code) == (
        Decimal("10.000"), Decimal("0.002220"), alice, "free")


def test_it_reads_gpu_types_in_any_case(design_row):
    assert cost_record(design=design_row(), attempt=1, gpu_seconds=100, gpu_type="a10g") == 0.0306


def test_it_charges_nothing_for_the_cpu(design_row):
    assert cost_record(design=design_row(), attempt=1, gpu_seconds=3.5, gpu_type="cpu") == 0.0


@override_settings(GPU_PRICES_USD_PER_SECOND={"T4": "0.0001", "H100": "0.001"})
def test_it_charges_an_unknown_gpu_at_the_highest_price(design_row):
    assert cost_record(design=design_row(), attempt=1, gpu_seconds=2, gpu_type="B300") == 0.002


def test_it_replaces_the_charge_when_an_attempt_is_recorded_again(design_row):
    design = design_row()
    cost_record(design=design, attempt=1, gpu_seconds=10, gpu_type="T4")
    cost_record(design=design, attempt=1, gpu_seconds=20, gpu_type="T4")
    assert GpuCharge.objects.get().gpu_seconds == Decimal("20.000")
    assert gpu_spend(day=utc_today()) == Decimal("0.003280")


def test_it_charges_every_attempt_including_those_without_a_result(design_row):
    design = design_row()
    cost_record(design=design, attempt=1, gpu_seconds=30, gpu_type="T4", completed=False)
    cost_record(design=design, attempt=2, gpu_seconds=10, gpu_type="T4")
    charges = GpuCharge.objects.filter(design=design).order_by("attempt")
    assert [(c.attempt, c.completed) for c in charges] == [(1, False), (2, True)]
    assert gpu_spend(day=utc_today()) == Decimal("0.006560")  # 40 s of T4


def test_it_never_replaces_the_charge_of_a_result_with_one_without(design_row):
    design = design_row()
    cost_record(design=design, attempt=1, gpu_seconds=10, gpu_type="T4")
    cost_record(design=design, attempt=1, gpu_seconds=99, gpu_type="T4", completed=False)
    charge = GpuCharge.objects.get()
    assert (charge.completed, charge.gpu_seconds) == (True, Decimal("10.000"))


def test_it_keeps_the_cost_of_a_deleted_design(design_row):
    design = design_row()
    cost_record(design=design, attempt=1, gpu_seconds=10, gpu_type="T4")
    design.delete()
    assert gpu_spend(day=utc_today()) == Decimal("0.001640")
