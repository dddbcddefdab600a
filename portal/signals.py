"""Keep the role groups' permissions in step with ROLE_PERMISSIONS after every migrate."""

from django.apps import apps
from django.db.models.signals import post_migrate
from django.dispatch import receiver

from .roles import setup_roles


@receiver(post_migrate)
def create_role_groups(sender, **kwargs):
    # post_migrate fires once per app; run once, after the last app's permissions exist
    if sender is list(apps.get_app_configs())[-1]:
        setup_roles()
