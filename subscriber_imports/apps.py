from django.apps import AppConfig


class SubscriberImportsConfig(AppConfig):
    name = "subscriber_imports"
    verbose_name = "Subscriber imports"
