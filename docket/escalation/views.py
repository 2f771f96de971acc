from django.http import HttpResponse


def board(request):  # replaced below
    return HttpResponse("")
