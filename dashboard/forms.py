"""Forms of the attendee dashboard: they parse input; the services decide."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from attendees.enums import RSVPStatus
from attendees.models import Person
from conferences.models import Topic


class NoColonMixin:
    """Labels read "Organization", not "Organization:"."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class LoginLinkForm(NoColonMixin, forms.Form):
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        help_text=_("The address you registered with. We e-mail you a link that signs you in."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


class EmailChangeForm(NoColonMixin, forms.Form):
    email = forms.CharField(
        label=_("New e-mail address"),
        max_length=254,
        help_text=_("We e-mail a link to it; your address changes when you open the link."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class RSVPForm(forms.Form):
    status = forms.ChoiceField(choices=RSVPStatus.choices)


class ProfileForm(NoColonMixin, forms.ModelForm):
    language = forms.ChoiceField(
        choices=[("", _("The language of my browser")), *settings.LANGUAGES],
        required=False,
        label=_("Pages, e-mails and calendar entries in"),
        help_text=_(
            "Until you choose, pages follow your browser's language and e-mails are in English."
        ),
    )
    topics = forms.ModelMultipleChoiceField(
        queryset=Topic.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("What you are into"),
        help_text=_("Newcomers are seated with people who share one of these."),
    )

    class Meta:
        model = Person
        fields = [
            "full_name",
            "organization",
            "show_organization",
            "bio",
            "topics",
            "needs_accessible_seating",
            "opted_out",
            "language",
        ]
        labels = {
            "full_name": _("Name"),
            "organization": _("Organization"),
            "show_organization": _("Show my organization to my tablemates"),
            "bio": _("A few words about you"),
            "needs_accessible_seating": _("I need an accessible table"),
            "opted_out": _("Leave me out of the table matching"),
        }
        help_texts = {
            "full_name": _("Your tablemates see this name."),
            "show_organization": "",
            "bio": _("Your tablemates see this. Up to 1000 characters."),
            "needs_accessible_seating": _(
                "Private: nobody else sees it. The matcher only uses it to seat you at a table "
                "reachable in a wheelchair."
            ),
            "opted_out": _("You can still come to the meetups; you just get no table."),
        }
        widgets = {
            "full_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "organization": forms.TextInput(attrs={"autocomplete": "organization"}),
            "bio": forms.Textarea(attrs={"rows": 4}),
        }


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Name"), max_length=100, required=False)


class PersonChoiceForm(forms.Form):
    person = forms.IntegerField(min_value=1)


class SitTogetherForm(forms.Form):
    person = forms.IntegerField(min_value=1)
    conference = forms.IntegerField(min_value=1)


class MetForm(forms.Form):
    people = forms.TypedMultipleChoiceField(coerce=int, required=False)

    def __init__(self, *args, allowed: set[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].choices = [(pk, pk) for pk in sorted(allowed)]


class DeleteAccountForm(NoColonMixin, forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand: my profile is erased and I cannot undo this."), required=True
    )
