from __future__ import annotations

from django import forms

from billing.models import Plan


class GrantForm(forms.Form):
    units = forms.IntegerField(min_value=1, max_value=1000, initial=1, label="Extra designs for today",
                               help_text="One per variation. They expire at midnight UTC.")
    note = forms.CharField(max_length=200, required=False, help_text="Why, for the ledger (a ticket number).")


class PlanChangeForm(forms.Form):
    plan = forms.ModelChoiceField(queryset=Plan.objects.all(), empty_label=None,
                                  help_text="From now on; today's usage counts against the new limit.")
    note = forms.CharField(max_length=200, required=False, help_text="Why, for the subscription history.")
