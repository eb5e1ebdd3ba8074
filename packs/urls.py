from django.urls import path

from packs import views

app_name = "packs"

urlpatterns = [
    path("", views.pack_list, name="list"),
    path("<int:pack_id>/new/", views.pack_create, name="create"),
    path("<int:pack_id>/run/", views.pack_run, name="run"),
    path("<int:pack_id>/cover/", views.pack_cover, name="cover"),
    path("callbacks/<uuid:code>/", views.pack_callback, name="callback"),
]
