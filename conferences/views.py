from django.shortcuts import render

from .permissions import organizer_required
from .selectors import conferences_for_organizer


@organizer_required
def organize_index(request):
    conferences = conferences_for_organizer(user=request.user)
    return render(
        request, "conferences/organize_index.html", {"conferences": conferences, "nav": "organize"}
    )
