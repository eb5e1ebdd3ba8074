from django.urls import path

from gallery import views

app_name = "gallery"

urlpatterns = [
    path("", views.image_list, name="list"),
    path("favourite/", views.favourite, name="favourite"),
    path("favourites.zip", views.favourites_zip, name="favourites_zip"),
    path("selection.zip", views.selection_zip, name="selection_zip"),
]
