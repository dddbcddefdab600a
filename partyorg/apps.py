from django.apps import AppConfig


class PartyorgConfig(AppConfig):
    name = "partyorg"
