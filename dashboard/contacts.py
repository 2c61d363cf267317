"""Stay in touch: the attendee's contact card, offers to tablemates and people met, and the
cards shared back (as vCards). The rules are ``attendees.contacts`` and
``attendees.selectors.contacts``; these views parse, call and render.
"""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from attendees import contacts
from attendees.selectors.contacts import offer_rows, shared_contact_for
from attendees.vcard import CONTENT_TYPE, vcard_filename, vcard_for
from config.exceptions import NotFound, ServiceError
from dashboard.forms import NoColonMixin
from dashboard.views import _back, _error_status, _is_htmx, attendee_required


class ContactCardForm(NoColonMixin, forms.Form):
    email = forms.CharField(
        label="E-mail to share",
        max_length=contacts.EMAIL_MAX_LENGTH,
        help_text="Your sign-in address unless you change it.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    link = forms.CharField(
        label="One link (optional)",
        required=False,
        max_length=contacts.LINK_MAX_LENGTH,
        help_text="A web address starting with https://, such as your site or a profile.",
        widget=forms.URLInput(attrs={"autocomplete": "url", "placeholder": "https://"}),
    )


class PersonForm(forms.Form):
    person = forms.IntegerField(min_value=1, max_value=2**31 - 1)


def _network_contacts() -> str:
    return reverse("dashboard:network") + "#contacts-heading"


def _toggle_answer(request, *, person_id: int, error: str | None, status: int = 200):
    """The htmx answer: the person's row again; plain posts go back where they came from."""
    if _is_htmx(request):
        rows = offer_rows(person=request.person, among=[person_id])
        return render(
            request,
            "dashboard/_contact_toggle.html",
            {
                "row": rows[0] if rows else None,
                "error": error,
                "next_url": request.POST.get("next", ""),
            },
            status=status,
        )
    if error:
        messages.error(request, error)
    return _back(request, _network_contacts())


@attendee_required
@require_POST
def contact_card(request):
    form = ContactCardForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give an e-mail address, and a link only if you want one.")
        return _back(request, _network_contacts())
    try:
        contacts.contact_card_save(
            person=request.person,
            email=form.cleaned_data["email"],
            link=form.cleaned_data["link"],
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Saved: these are the details you share.")
    return _back(request, _network_contacts())


@attendee_required
@require_POST
def contact_offer(request):
    form = PersonForm(request.POST)
    if not form.is_valid():
        error = "Choose someone you sat with or met."
        if _is_htmx(request):
            return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
        messages.error(request, error)
        return _back(request, _network_contacts())
    person_id = form.cleaned_data["person"]
    try:
        done = contacts.contact_offer_make(person=request.person, other_id=person_id)
    except ServiceError as exc:
        return _toggle_answer(
            request, person_id=person_id, error=exc.message, status=_error_status(exc)
        )
    if not _is_htmx(request):
        messages.success(request, f"Offered your contact to {done.name}.")
    return _toggle_answer(request, person_id=person_id, error=None)


@attendee_required
@require_POST
def contact_withdraw(request, pk: int):
    try:
        contacts.contact_offer_withdraw(person=request.person, other_id=pk)
    except NotFound:
        raise Http404("You have not offered your contact to this person.") from None
    if not _is_htmx(request):
        messages.success(request, "Withdrawn: they no longer see your details.")
    return _toggle_answer(request, person_id=pk, error=None)


@attendee_required
@require_GET
def contact_vcard(request, pk: int):
    shared = shared_contact_for(person=request.person, other_id=pk)
    if shared is None:
        raise Http404("No contact shared with you by this person.")
    response = HttpResponse(vcard_for(shared), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{vcard_filename(shared)}"'
    return response
