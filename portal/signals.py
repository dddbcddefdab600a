"""Keep the role groups' permissions in step with ROLE_PERMISSIONS after every migrate."""

from django.apps import apps
from django.db.models.signals import post_migrate
from django.dispatch import receiver

from .roles import setup_roles


@receiver(post_migrate)
def create_role_groups(sender, **kwargs):
    # post_migrate fires once per app that has models; run once, after the last one's permissions exist
    if sender is [config for config in apps.get_app_configs() if config.models_module is not None][-1]:
        setup_roles()
