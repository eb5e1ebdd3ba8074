from django.urls import path

from packs import views

app_name = "packs"

urlpatterns = [
    path("", views.pack_list, name="list"),
    path("<int:pk>/new/", views.pack_create, name="create"),
    path("<int:pk>/run/", views.pack_run, name="run"),
    path("<int:pk>/cover/", views.pack_cover, name="cover"),
    path("callbacks/<uuid:code>/", views.pack_callback, name="callback"),
]
