"""A ModelAdmin base that puts every admin change on the audit log."""

from __future__ import annotations

from django.contrib import admin

from earlyhelp.audit.services import diff, record_write, snapshot


class AuditedModelAdmin(admin.ModelAdmin):
    """Every admin add, change and delete leaves an audit event with before and after.

    Every model registered in the admin uses this (a test checks it).
    """

    def _code(self, obj, verb: str) -> str:
        return f"{obj._meta.model_name}.{verb}_in_admin"

    def save_model(self, request, obj, form, change):
        before = {}
        if change and obj.pk is not None:
            before = snapshot(type(obj)._default_manager.get(pk=obj.pk))
        super().save_model(request, obj, form, change)
        record_write(
            actor=request.user,
            code=self._code(obj, "changed" if change else "added"),
            instance=obj,
            changes=diff(before, snapshot(obj)),
            source=request.path,
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        m2m = {
            name: sorted(str(item) for item in value)
            for name, value in form.cleaned_data.items()
            if name in {f.name for f in form.instance._meta.many_to_many}
        }
        if m2m:
            record_write(
                actor=request.user,
                code=self._code(form.instance, "relations_changed"),
                instance=form.instance,
                details={"relations": m2m},
                source=request.path,
            )

    def save_formset(self, request, form, formset, change):
        # Inline rows (a family's members) are writes too.
        model = formset.model
        before = {
            obj.pk: snapshot(obj)
            for obj in model._default_manager.filter(
                pk__in=[f.instance.pk for f in formset.initial_forms if f.instance.pk]
            )
        }
        for obj in [f.instance for f in formset.deleted_forms if f.instance.pk]:
            record_write(
                actor=request.user,
                code=self._code(obj, "deleted"),
                instance=obj,
                changes=diff(before.get(obj.pk, snapshot(obj)), {}),
                source=request.path,
            )
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            record_write(
                actor=request.user,
                code=self._code(obj, "added"),
                instance=obj,
                changes=diff({}, snapshot(obj)),
                source=request.path,
            )
        for obj, _fields in formset.changed_objects:
            record_write(
                actor=request.user,
                code=self._code(obj, "changed"),
                instance=obj,
                changes=diff(before.get(obj.pk, {}), snapshot(obj)),
                source=request.path,
            )

    def delete_model(self, request, obj):
        before = snapshot(obj)
        record_write(
            actor=request.user,
            code=self._code(obj, "deleted"),
            instance=obj,
            changes=diff(before, {}),
            source=request.path,
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)
