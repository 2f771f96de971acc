from django.urls import path

from . import views

app_name = "escalation"
urlpatterns = [path("board/", views.board, name="board")]
