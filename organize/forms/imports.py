"""Forms of the organizer pages and the admin imports: they parse input, services decide."""

from django import forms

from attendees.imports import MAX_FILE_BYTES
from conferences.scoping import organized_conferences


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8 (with or without BOM), fields separated by , or ;, the header first.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB: split it into "
                "several files and import them one after the other."
            )
        return upload

    def content(self) -> bytes:
        upload = self.cleaned_data["file"]
        upload.seek(0)
        return upload.read()


class AdminImportForm(ImportUploadForm):
    """The admin import asks which conference; organizers may pick only their own."""

    field_order = ["conference", "file"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["conference"] = forms.ModelChoiceField(
            queryset=organized_conferences(user=user).select_related("series"),
            help_text="The conference to import into.",
        )
        self.order_fields(self.field_order)


class ImportConfirmForm(forms.Form):
    """The counts the organizer saw in the preview: the import only runs if they still hold."""

    created = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    updated = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    unchanged = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
