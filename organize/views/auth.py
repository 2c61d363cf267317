"""The admin's password sign-in, under the same limits as the staff sign-in page."""

from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from attendees.services import LoginRateLimited, staff_login_check
from config.http import client_ip


@never_cache
@csrf_protect
def admin_login(request, extra_context=None):
    """``/admin/login/``: refused with 429 and ``Retry-After`` once the failed password sign-ins
    of the username or the address reach their limit (attendees.backends), before any
    password is checked; otherwise the admin's own sign-in."""
    if request.method == "POST":
        try:
            staff_login_check(username=request.POST.get("username", ""), ip=client_ip(request))
        except LoginRateLimited as error:
            messages.error(request, error.message)
            context = {
                **admin.site.each_context(request),
                "title": "Log in",
                "subtitle": None,
                "app_path": request.get_full_path(),
                "form": AdminAuthenticationForm(request),
                "username": "",
            }
            response = TemplateResponse(request, "admin/login.html", context, status=429)
            response["Retry-After"] = str(error.retry_after_s)
            return response
    return admin.site.login(request, extra_context=extra_context)
