"""The API-token pages: a user lists their tokens, creates one (shown once) and revokes one.

A token acts as its creator, so any signed-in user may make tokens for themselves; what a token can
read or change is bounded by the user's own permissions and station, narrowed by its scopes.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView

from . import tokens
from .forms import ServiceForm
from .models import ApiToken, TokenScope


class TokenForm(ServiceForm):
    name = forms.CharField(
        label=gettext_lazy("Name"), max_length=100, help_text=gettext_lazy("What the token is for.")
    )
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("Scopes"), choices=TokenScope.choices, widget=forms.CheckboxSelectMultiple
    )
    days = forms.IntegerField(
        label=gettext_lazy("Valid for (days)"), min_value=1, max_value=tokens.MAX_DAYS, initial=90
    )

    def save(self) -> tuple[ApiToken, str]:
        return tokens.token_create(user=self.user, **self.cleaned_data)


class TokenListView(LoginRequiredMixin, ListView):
    template_name = "portal/token_list.html"
    context_object_name = "tokens"

    def get_queryset(self):
        return ApiToken.objects.visible_to(self.request.user)


class TokenCreateView(LoginRequiredMixin, View):
    template_name = "portal/token_form.html"

    def get(self, request):
        return TemplateResponse(request, self.template_name, {"form": TokenForm(user=request.user)})

    def post(self, request):
        form = TokenForm(request.POST, user=request.user)
        saved = form.try_save()
        if saved is None:
            return TemplateResponse(request, self.template_name, {"form": form}, status=400)
        token, raw = saved
        # shown once, in this answer only: never stored, never cached
        response = TemplateResponse(request, "portal/token_created.html", {"token": token, "raw": raw})
        response["Cache-Control"] = "no-store"
        return response


class TokenRevokeView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk: int):
        token = get_object_or_404(ApiToken.objects.visible_to(request.user), pk=pk)
        tokens.token_revoke(token=token, by=request.user)
        messages.success(request, _("The token %(prefix)s… was revoked.") % {"prefix": token.prefix})
        return redirect("token_list")
