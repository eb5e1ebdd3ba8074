from django.conf import settings


def portal(request):
    return {
        "site_name": settings.SITE_NAME,
        "astria_demo": settings.ASTRIA_DEMO,
        "signup_enabled": settings.SIGNUP_ENABLED,
        "retention_days": settings.RETENTION_DAYS,
    }
