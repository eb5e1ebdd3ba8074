"""The backends that sign people in: Django's and allauth's, each reading the signed-in
user of a request with one plain SELECT.

Every signed-in page loads its user; through the ORM, building that query cost as
much as running it. Who may sign in, and how, is the two backends' own. Sessions made
before these existed name the two originals; accounts/sessions.py reads them as these.
"""

from allauth.account import auth_backends
from django.contrib.auth import backends, get_user_model
from django.core.exceptions import ValidationError
from django.db import connection


class PlainRead:
    def get_user(self, user_id):
        model = get_user_model()
        try:
            pk = model._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        table, column = map(
            connection.ops.quote_name, (model._meta.db_table, model._meta.pk.column)
        )
        rows = model._default_manager.raw(f"SELECT * FROM {table} WHERE {column} = %s", [pk])  # noqa: S608
        user = next(iter(rows), None)
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(PlainRead, backends.ModelBackend):
    pass


class AuthenticationBackend(PlainRead, auth_backends.AuthenticationBackend):
    pass
