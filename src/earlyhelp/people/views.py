from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from earlyhelp.core.concurrency import StaleRecord, keep_typed_over
from earlyhelp.people import selectors, services
from earlyhelp.people.forms import AddressForm, MergeForm, PersonSearchForm
from earlyhelp.people.search import find_people


@login_required
def family_list(request):
    families = selectors.family_list_for_user(user=request.user)
    page = Paginator(families, 50).get_page(request.GET.get("page"))
    return render(request, "people/family_list.html", {"page": page})


@login_required
def family_detail(request, family_id: int):
    family = selectors.access_family(user=request.user, family_id=family_id, source=request.path)
    return render(request, "people/family_detail.html", {"family": family})


@login_required
def change_address(request, family_id: int):
    """Change a family's address. A save over someone else's newer save is refused, and
    their changes are shown beside what was typed."""
    family = selectors.access_family(user=request.user, family_id=family_id, source=request.path)
    stale: StaleRecord | None = None
    if request.method == "POST":
        form = AddressForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                services.update_family_address(
                    actor=request.user,
                    family_id=family.pk,
                    source=request.path,
                    expected_version=data.pop("version"),
                    **data,
                )
            except StaleRecord as error:
                stale = error
                form.add_error(None, error.message)
                keep_typed_over(form, error)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect("people:family-detail", family_id=family.pk)
    else:
        form = AddressForm(
            initial={
                "address_line_1": family.address_line_1,
                "address_line_2": family.address_line_2,
                "town": family.town,
                "postcode": family.postcode,
                "version": family.version,
            }
        )
    return render(
        request, "people/change_address.html", {"family": family, "form": form, "stale": stale}
    )


@login_required
def merge_person(request, person_id: int):
    person, matches = selectors.merge_candidates(
        user=request.user, person_id=person_id, source=request.path
    )
    form = MergeForm(request.POST or None, matches=matches)
    if request.method == "POST" and form.is_valid():
        try:
            services.merge_people(
                actor=request.user,
                keep_id=person.pk,
                duplicate_id=form.cleaned_data["duplicate_id"],
                reason=form.cleaned_data["reason"],
                source=request.path,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"The records were merged into {person}'s record.")
            family = person.memberships.order_by("pk").first()
            if family is not None:
                return redirect("people:family-detail", family_id=family.family_id)
            return redirect("core:home")
    return render(
        request, "people/merge.html", {"person": person, "matches": matches, "form": form}
    )


@login_required
def person_search(request):
    """Find a person by name and date of birth among the families the user may see."""
    form = PersonSearchForm(request.GET or None)
    hits = None
    if request.GET and form.is_valid():
        hits = find_people(
            user=request.user,
            name=form.cleaned_data["name"],
            date_of_birth=form.cleaned_data["date_of_birth"],
            source=request.path,
        )
    return render(request, "people/person_search.html", {"form": form, "hits": hits})
