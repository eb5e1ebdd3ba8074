from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def tune_list(request):
    return render(request, "tunes/tune_list.html", {"tunes": []})
