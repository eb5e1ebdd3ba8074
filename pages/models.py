from django.db import models


class Change(models.Model):
    """A row that changed, as the database's own triggers record it (pages/triggers.py).

    One row per changed row, naming the user whose pages show it, 0 for a row every
    page may show (prices, packs). A page is kept while the count and the newest id of
    its user's changes stay the same (pages/keep.py); a schedule compacts the table
    every 10 minutes.
    """

    user_id = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["user_id", "id"], name="pages_change_user_id")]

    def __str__(self):
        return f"change {self.pk} of user {self.user_id}"
