"""The admin as one more door: it shows what the organizer's scope holds and writes through the
services, with the same checks and the same answers as the organizer pages and the API.

``OrganizerScopedAdmin`` (and ``ServiceInline`` for inlines) do four things for every model:

- **Scope.** The change list, change pages, history, autocomplete, actions, list filters and
  every choice in every form (``scoped_choices``) hold only what belongs to the organizer's
  conferences; superusers see everything.
- **Writes through services.** ``service_save`` and ``service_delete`` (defined per model) are
  the only writes: ``save_model``, ``save_related``/``save_formset`` (inlines),
  ``delete_model`` and ``delete_queryset`` (the bulk action) call them, never ``obj.save()``.
- **Errors as form errors.** While a form is validated, the service runs once inside a
  savepoint that is rolled back, so what it refuses (``ServiceError``, ``NotFound``,
  ``PermissionDenied``) shows on the form with its message and nothing typed is lost. The
  model form's own uniqueness checks are off: the service gives the one answer, and one that
  does not say what exists elsewhere.
- **Refusals of a delete** come back as a message on the page, not an error page.
"""

import zoneinfo
from operator import attrgetter

from django.contrib import admin, messages
from django.contrib.admin.filters import RelatedFieldListFilter
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import UniqueConstraint
from django.shortcuts import redirect
from django.utils import timezone

from attendees.models import Attendance, Person
from attendees.selectors.people import attendances_for_organizer, people_for_organizer
from conferences.models import Conference, DrinkTable, MeetupRound
from conferences.scoping import is_organizer, organized_conferences
from conferences.times import conference_zone
from config.exceptions import NotFound, ServiceError


class _Rollback(Exception):
    """Ends a dry run of a service: everything it wrote goes."""


def error_message(error: Exception) -> str:
    if isinstance(error, ServiceError | NotFound):
        return error.message
    return str(error) or "You may not do this."


def scoped_choices(model, user):
    """The objects of ``model`` an organizer may pick in a form or filter, or None if the model
    is a shared vocabulary (series, topics)."""
    if user.is_superuser:
        return None
    conferences = organized_conferences(user=user)
    if model is Conference:
        return conferences
    if model in (DrinkTable, MeetupRound):
        return model.objects.filter(conference__in=conferences).select_related("conference")
    if model is Person:
        return people_for_organizer(user=user).filter(deleted_at__isnull=True)
    if model is Attendance:
        return attendances_for_organizer(user=user)
    if model._meta.label == "auth.User":
        return model.objects.none()
    return None


class ScopedRelatedFilter(RelatedFieldListFilter):
    """A list filter on a relation that offers, and takes, only the organizer's objects: a
    value typed into the address (another conference's id) filters to nothing, so it cannot
    tell which of the organizer's people are registered elsewhere."""

    def field_choices(self, field, request, model_admin):
        limited = scoped_choices(field.related_model, request.user)
        if limited is None:
            return super().field_choices(field, request, model_admin)
        return [(obj.pk, str(obj)) for obj in limited]

    def queryset(self, request, queryset):
        limited = scoped_choices(self.field.related_model, request.user)
        values = self.lookup_val or []
        if limited is not None and values:
            allowed = {str(pk) for pk in limited.values_list("pk", flat=True)}
            if any(str(value) not in allowed for value in values):
                return queryset.none()
        return super().queryset(request, queryset)


def _dry_run(save, form) -> None:
    """Run ``save`` and roll it back; put what the service refuses on ``form``."""
    try:
        with transaction.atomic():
            save()
            raise _Rollback
    except _Rollback:
        pass
    except (ServiceError, NotFound, PermissionDenied) as error:
        field = getattr(error, "field", None)
        form.add_error(field if field in form.fields else None, error_message(error))


def _checked_form(base, check):
    """``base`` whose validation ends with ``check(form)`` when nothing else is wrong."""

    class ServiceCheckedForm(base):
        def validate_unique(self):
            """The service checks uniqueness, with an answer that reveals nothing else."""

        def _post_clean(self):
            instance = self.instance
            everything = type(instance).get_constraints

            def without_unique():
                return [
                    (model, [c for c in constraints if not isinstance(c, UniqueConstraint)])
                    for model, constraints in everything(instance)
                ]

            instance.get_constraints = without_unique  # check constraints still hold
            try:
                super()._post_clean()
            finally:
                instance.__dict__.pop("get_constraints", None)
            if not self.errors:
                check(self)

    ServiceCheckedForm.__name__ = base.__name__
    return ServiceCheckedForm


def form_data(form, *, change: bool, allowed) -> dict:
    """What the form says to write: the changed fields on a change, all on an add."""
    names = form.changed_data if change else list(form.cleaned_data)
    return {name: form.cleaned_data[name] for name in names if name in allowed}


class ServiceWritesMixin:
    """Shared by model admins and inlines: scoped choices and dry-run validation."""

    def service_save(self, request, form, *, change: bool, parent=None) -> int:
        """Write what ``form`` holds through the model's service; return the object's id."""
        raise PermissionDenied("This cannot be changed here.")

    def service_delete(self, request, obj) -> None:
        raise PermissionDenied("This cannot be deleted here.")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        limited = scoped_choices(db_field.related_model, request.user)
        if limited is not None:
            kwargs["queryset"] = limited
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        limited = scoped_choices(db_field.related_model, request.user)
        if limited is not None:
            kwargs["queryset"] = limited
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class OrganizerScopedAdmin(ServiceWritesMixin, admin.ModelAdmin):
    """Organizers see and manage only what belongs to the conferences they organize.

    ``conference_path`` is the ORM path from the model to its Conference. Superusers see all.
    """

    conference_path = "conference"

    def scope(self, queryset, user):
        return queryset.filter(**{f"{self.conference_path}__in": organized_conferences(user=user)})

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if request.user.is_superuser else self.scope(queryset, request.user)

    def _allowed(self, request, obj=None) -> bool:
        if request.user.is_superuser:
            return True
        if not request.user.is_staff or not is_organizer(user=request.user):
            return False
        return obj is None or self.scope(type(obj).objects.filter(pk=obj.pk), request.user).exists()

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request, obj)

    def has_add_permission(self, request, *args):
        return self._allowed(request)

    def get_list_filter(self, request):
        filters = []
        for entry in super().get_list_filter(request):
            if isinstance(entry, str) and self._is_relation(entry):
                entry = (entry, ScopedRelatedFilter)
            filters.append(entry)
        return filters

    def _is_relation(self, path: str) -> bool:
        model = self.model
        field = None
        for part in path.split("__"):
            field = model._meta.get_field(part)
            if not field.is_relation:
                return False
            model = field.related_model
        return field is not None and field.is_relation

    # Forms: validated by a dry run of the service --------------------------------------------

    def get_form(self, request, obj=None, change=False, **kwargs):
        base = super().get_form(request, obj, change=change, **kwargs)
        return _checked_form(
            base,
            lambda form: _dry_run(lambda: self.service_save(request, form, change=change), form),
        )

    def get_changelist_form(self, request, **kwargs):
        base = super().get_changelist_form(request, **kwargs)
        return _checked_form(
            base,
            lambda form: _dry_run(lambda: self.service_save(request, form, change=True), form),
        )

    # Writes ----------------------------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        obj.pk = self.service_save(request, form, change=change)
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        # Never form.save_m2m(): the service wrote the relations it takes.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        inline = formset.inline_admin
        for inline_form in formset.deleted_forms:
            if inline_form.instance.pk is not None:
                inline.service_delete(request, inline_form.instance)
        for inline_form in formset.forms:
            if inline_form in formset.deleted_forms or not inline_form.has_changed():
                continue
            inline.service_save(
                request,
                inline_form,
                change=inline_form.instance.pk is not None,
                parent=form.instance,
            )
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def get_deleted_objects(self, objs, request):
        # What goes along with a deleted object (a conference's seats, imports, wishes) is the
        # service's to judge, not the admin permissions of those models: the service is the
        # one check every door shares. Protected objects still stop the delete here.
        deleted, model_count, _, protected = super().get_deleted_objects(objs, request)
        return deleted, model_count, set(), protected

    def delete_model(self, request, obj):
        self.service_delete(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            try:
                with transaction.atomic():
                    self.service_delete(request, obj)
            except (ServiceError, NotFound, PermissionDenied) as error:
                messages.error(request, f"{obj} was not deleted: {error_message(error)}")

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (ServiceError, NotFound) as error:  # rolled back: the whole page was one change
            messages.error(request, f"Nothing was saved. {error_message(error)}")
            return redirect(request.get_full_path())

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except (ServiceError, NotFound) as error:
            messages.error(request, f"Nothing was deleted. {error_message(error)}")
            return redirect(request.get_full_path().rsplit("delete/", 1)[0])


class ServiceInline(ServiceWritesMixin):
    """An inline whose rows are written through services (see ``OrganizerScopedAdmin``).

    ``parent_field`` names the foreign key to the parent object.
    """

    parent_field: str

    def _allowed(self, request) -> bool:
        return request.user.is_superuser or (
            request.user.is_staff and is_organizer(user=request.user)
        )

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request)

    def get_formset(self, request, obj=None, **kwargs):
        inline = self
        formset = super().get_formset(request, obj, **kwargs)
        parent_attr = f"{self.parent_field}_id"

        def check(form):
            if getattr(form.instance, parent_attr, None) is None:
                return  # the parent is new: its own save checks the rows
            _dry_run(
                lambda: inline.service_save(
                    request,
                    form,
                    change=form.instance.pk is not None,
                    parent=getattr(form.instance, inline.parent_field),
                ),
                form,
            )

        class ServiceFormSet(formset):
            form = _checked_form(formset.form, check)
            inline_admin = inline

            def clean(self):
                super().clean()
                for deleted in self.deleted_forms:
                    if deleted.instance.pk is None:
                        continue
                    try:
                        with transaction.atomic():
                            inline.service_delete(request, deleted.instance)
                            raise _Rollback
                    except _Rollback:
                        pass
                    except (ServiceError, NotFound, PermissionDenied) as error:
                        raise ValidationError(
                            f"{deleted.instance}: {error_message(error)}"
                        ) from None

        return ServiceFormSet


class ConferenceDaysAdmin(OrganizerScopedAdmin):
    """Times in the conference's zone, as organizers type and read them there.

    - A change page reads and shows its times in its conference's zone, not the server's.
    - A list does so when the rows listed share one zone (an organizer's conference, or the
      list filtered to one): the date drill-down (``date_hierarchy``) groups by that
      conference's days and the times listed are its local times. Rows of several zones keep
      UTC.

    The zone comes from ``conference_path``; the conference filter is the ``list_filter``
    entry ``conference_path`` (``?<conference_path>__id__exact=``).
    """

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        conference = attrgetter(self.conference_path.replace("__", "."))(obj) if obj else None
        zone = conference_zone(conference) if conference is not None else None
        if zone is None:
            return super().changeform_view(request, object_id, form_url, extra_context)
        return _rendered_in(
            zone, super().changeform_view, request, object_id, form_url, extra_context
        )

    def changelist_view(self, request, extra_context=None):
        rows = self.get_queryset(request)
        conference_id = request.GET.get(f"{self.conference_path}__id__exact", "")
        if conference_id.isdigit():
            rows = rows.filter(**{f"{self.conference_path}_id": int(conference_id)})
        zones = set(
            rows.order_by()
            .values_list(f"{self.conference_path}__time_zone", flat=True)
            .distinct()[:2]
        )
        if len(zones) != 1:
            return super().changelist_view(request, extra_context)
        zone = zoneinfo.ZoneInfo(zones.pop())
        return _rendered_in(zone, super().changelist_view, request, extra_context)


def _rendered_in(zone, view, *args):
    """``view(*args)`` with ``zone`` as the current time zone, rendered before it ends: a
    template response reads its rows and formats its times while rendering."""
    with timezone.override(zone):
        response = view(*args)
        if hasattr(response, "render"):
            response.render()
    return response
