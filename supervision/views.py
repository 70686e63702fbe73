from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from cohorts.selectors import get_nominal_for_user, open_nominal_record
from iom.core import access
from iom.core.http import AuthenticatedRequest
from supervision import services
from supervision.forms import ContactForm


@require_http_methods(["GET", "POST"])
def log_contact(request: AuthenticatedRequest, nominal_id: int) -> HttpResponse:
    if request.method == "POST":
        nominal = get_nominal_for_user(user=request.user, nominal_id=nominal_id)
        access.require_log_contact(request.user, nominal)
        form = ContactForm(request.POST)
        if form.is_valid():
            try:
                services.log_contact(actor=request.user, nominal=nominal, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"Contact logged for {nominal.full_name}")
                return redirect("cohorts:nominal-detail", nominal_id=nominal.pk)
    else:
        nominal = open_nominal_record(user=request.user, nominal_id=nominal_id, page="log-contact")
        access.require_log_contact(request.user, nominal)
        form = ContactForm(initial={"happened_on": timezone.localdate()})
    return render(request, "supervision/log_contact.html", {"nominal": nominal, "form": form})
