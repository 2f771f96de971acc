from django.http import HttpResponse


def complaint_list(request):
    return HttpResponse("")


def complaint_detail(request, pk):
    return HttpResponse("")
