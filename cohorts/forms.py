from django import forms

from iom.core.forms import GovukFormMixin


class CaseloadSearchForm(GovukFormMixin, forms.Form):
    q = forms.CharField(
        label="Search by name or CRN",
        required=False,
        max_length=100,
        error_messages={"max_length": "Search must be 100 characters or fewer"},
    )
