"""The private bucket that holds media when STORAGE_URL names one (django-storages, S3 API).

Settings name it by its dotted path only, so boto3 is imported by processes that
use a bucket and by no others.
"""

from functools import cached_property
from urllib.parse import urlsplit

from botocore.exceptions import ClientError
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

from astria_portal.serving import Chunks


class PrivateS3Storage(S3Storage):
    """A bucket nobody reads directly: objects get no ACL (the bucket's policy keeps them
    private), reads go through pre-signed links that expire after MEDIA_LINK_SECONDS,
    and a name is never reused for other content."""

    default_acl = None
    querystring_auth = True
    file_overwrite = False
    signature_version = "s3v4"

    @cached_property
    def origin(self):
        """Where its links point (scheme, host and port), for the pages' img-src."""
        link = urlsplit(self.url("origin"))
        return f"{link.scheme}://{link.netloc}"

    def signed_url(self, name, **response_headers):
        """A GET link that makes the bucket answer with the given headers, e.g.
        ``ResponseContentType="image/jpeg"`` (S3's response-* overrides)."""
        return self.url(name, parameters=response_headers)

    def open_chunks(self, name, chunk_size):
        """Start reading an object; the iterator yields it chunk_size bytes at a time.

        S3Storage.open() downloads the whole object before the first read, which a ZIP
        of many images cannot afford. Raises FileNotFoundError at once if it is gone.
        """
        key = self._normalize_name(clean_name(name))
        try:
            body = self.connection.meta.client.get_object(Bucket=self.bucket_name, Key=key)
        except ClientError as exc:
            if exc.response["ResponseMetadata"]["HTTPStatusCode"] == 404:
                raise FileNotFoundError(name) from None
            raise
        body = body["Body"]
        return Chunks(body.iter_chunks(chunk_size), body.close)
