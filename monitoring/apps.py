import contextlib

from django.apps import AppConfig
from django.core import checks


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = "Monitoring"

    def ready(self):
        from astria_portal import metrics
        from monitoring import checks as monitoring_checks

        checks.register(monitoring_checks.check_metrics, checks.Tags.compatibility)
        checks.register(monitoring_checks.check_metrics_deploy, checks.Tags.security, deploy=True)
        if metrics.folder():
            # If it cannot be made, monitoring.E001 says so.
            with contextlib.suppress(OSError):
                metrics.prepare_folder(metrics.folder())
