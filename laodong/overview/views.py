from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from laodong.overview.cards import cards_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The role's home page: where it stands and what to do next."""
    return render(request, "overview/home.html", {"cards": cards_for(request.user)})
