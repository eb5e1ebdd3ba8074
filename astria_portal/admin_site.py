"""The project's admin site: Django's, with one rule for every ModelAdmin registered on it.

An action posted with a selection that names no object of the list (``abc``, or a
number out of the database's range, sent by hand) is answered with the admin's
usual message and nothing changes, instead of a server error from the query.
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.utils.text import Truncator


class CheckedSelection:
    """Mixed into every ModelAdmin on the site (see PortalAdminSite.register)."""

    def response_action(self, request, queryset):
        pk = self.model._meta.pk
        for value in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME):
            try:
                pk.clean(value, None)  # the type, and the range the database can hold
            except ValidationError:
                shown = Truncator(value).chars(40)
                self.message_user(
                    request,
                    f"Items must be selected in order to perform actions on them: “{shown}” "
                    f"is not one of the {self.opts.verbose_name_plural}. "
                    "No items have been changed.",
                    messages.WARNING,
                )
                return None  # the change list redirects back to itself
        return super().response_action(request, queryset)


class PortalAdminSite(admin.AdminSite):
    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, CheckedSelection):
            # As Django's own register() does with options: a subclass made here, so
            # that third-party admins (users, groups, the task queue) get the rule too.
            admin_class = type(
                admin_class.__name__,
                (CheckedSelection, admin_class),
                {"__module__": admin_class.__module__, "__qualname__": admin_class.__qualname__},
            )
        return super().register(model_or_iterable, admin_class, **options)
