from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render

from earlyhelp.audit.forms import AuditSearchForm
from earlyhelp.audit.selectors import search_audit_events


@login_required
def search(request):
    if not request.user.has_perm("audit.view_auditevent"):
        raise PermissionDenied("Only quality review officers can search the audit log.")
    form = AuditSearchForm(request.GET or None)
    page = None
    if form.is_bound and form.is_valid():
        events = search_audit_events(user=request.user, **form.cleaned_data)
        page = Paginator(events, 50).get_page(request.GET.get("page"))
    elif not form.is_bound:
        page = Paginator(search_audit_events(user=request.user), 50).get_page(1)
    return render(request, "audit/search.html", {"form": form, "page": page})
