"""Forms of the organizer pages and the admin imports: they parse input, services decide."""

from django import forms

from attendees.enums import AttendanceRole
from attendees.imports import MAX_FILE_BYTES, PRESET_NAME_MAX, MappingView
from conferences.enums import SKIP_ROWS, ImportField
from conferences.scoping import organized_conferences

ROLE_CHOICES = [*AttendanceRole.choices, (SKIP_ROWS, "Don't import these lines")]


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


class RegistrationUploadForm(ImportUploadForm):
    """A registration file, read with a saved column mapping of the conference or guessed."""

    preset = forms.TypedChoiceField(
        label="Read the columns with",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="A mapping you saved for this conference, or a guess from the file's header "
        "(a saved mapping made for exactly these columns is used by itself).",
    )

    def __init__(self, *args, presets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preset"].choices = [
            ("", "Guess from the file's header"),
            *((p.pk, f"Saved mapping “{p.name}”") for p in presets),
        ]


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
    """The counts the organizer saw in the preview, and the column mapping the file was read
    with: the import only runs if both still hold."""

    created = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    updated = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    unchanged = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    mapping = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def counts(self) -> dict[str, int]:
        return {name: self.cleaned_data[name] for name in ("created", "updated", "unchanged")}


class ImportMappingForm(forms.Form):
    """The column mapping of one file: a field for each column (``column-<position>``) and a
    role for each ticket type found in the role column (``role-<n>``)."""

    def __init__(self, *args, mapping: MappingView, **kwargs):
        super().__init__(*args, **kwargs)
        self.mapping = mapping
        for column in mapping.columns:
            described = {"aria-describedby": f"samples-{column.index}"} if column.samples else {}
            self.fields[f"column-{column.index}"] = forms.ChoiceField(
                label=column.header or f"Column {column.index + 1} (no header)",
                choices=ImportField.choices,
                initial=column.field,
                required=False,
                widget=forms.Select(attrs=described),
            )
        for ticket in mapping.ticket_types:
            lines = f"{ticket.lines} line{'s' if ticket.lines != 1 else ''}"
            self.fields[f"role-{ticket.index}"] = forms.ChoiceField(
                label=f"{ticket.value} ({lines})",
                choices=ROLE_CHOICES,
                initial=ticket.role,
                required=False,
            )

    def _rows(self, columns):
        return [(column, self[f"column-{column.index}"]) for column in columns]

    @property
    def used_rows(self):
        return self._rows(self.mapping.used_columns)

    @property
    def ignored_rows(self):
        return self._rows(self.mapping.ignored_columns)

    @property
    def role_rows(self):
        return [(ticket, self[f"role-{ticket.index}"]) for ticket in self.mapping.ticket_types]

    def chosen_fields(self) -> dict[int, str]:
        """The field chosen for each column that was posted (the others keep theirs)."""
        chosen = (
            (c.index, self.cleaned_data.get(f"column-{c.index}")) for c in self.mapping.columns
        )
        return {index: value for index, value in chosen if value}

    def chosen_roles(self) -> dict[str, str]:
        """The role chosen for each ticket type that was posted (the others keep theirs)."""
        chosen = (
            (t.key, self.cleaned_data.get(f"role-{t.index}")) for t in self.mapping.ticket_types
        )
        return {key: value for key, value in chosen if value}


class ImportPresetForm(forms.Form):
    name = forms.CharField(
        label="Save this mapping as",
        max_length=PRESET_NAME_MAX,
        error_messages={
            "required": "Give the mapping a name, e.g. the tool the file comes from.",
            "max_length": f"The name is longer than {PRESET_NAME_MAX} characters: shorten it.",
        },
        help_text="A name, e.g. the tool the file comes from. The next file with these "
        "columns is read the same way.",
    )


class ImportPresetApplyForm(forms.Form):
    preset = forms.TypedChoiceField(label="Use a saved mapping", coerce=int)

    def __init__(self, *args, presets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preset"].choices = [(p.preset_id, p.name) for p in presets]
