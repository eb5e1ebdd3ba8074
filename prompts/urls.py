from django.urls import path

from prompts import views

app_name = "prompts"

urlpatterns = [
    path("for/<uuid:tune_code>/new/", views.prompt_create, name="create"),
    path("for/<uuid:tune_code>/images.zip", views.tune_zip, name="tune_zip"),
    path("<uuid:code>/card/", views.prompt_card, name="card"),
    path("<uuid:code>/again/", views.prompt_again, name="again"),
    path("<uuid:code>/delete/", views.prompt_delete, name="delete"),
    path("<uuid:code>/images.zip", views.prompt_zip, name="zip"),
    path("images/<uuid:code>/", views.image_detail, name="image"),
    path("images/<uuid:code>/file", views.image_file, name="image_file"),
    path("images/<uuid:code>/thumbnail", views.image_thumbnail, name="thumbnail"),
]
