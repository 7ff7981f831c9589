"""With S3 configured, generated files go to the bucket through Django's default storage,
the one the governance reports' FileField uses. No network: boto3's Stubber answers for
S3 and checks what was asked of it."""

from __future__ import annotations

from unittest.mock import ANY

import pytest
from botocore.stub import Stubber
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from earlyhelp.config import scaling
from earlyhelp.reporting.models import GeneratedReport

S3_ENV = {
    "STORAGE_BACKEND": "s3",
    "AWS_STORAGE_BUCKET_NAME": "earlyhelp-files",
    "AWS_S3_ENDPOINT_URL": "http://minio.invalid:9000",
    "AWS_S3_REGION_NAME": "eu-west-2",
    "AWS_ACCESS_KEY_ID": "earlyhelp",
    "AWS_SECRET_ACCESS_KEY": "not-a-real-secret",
    "AWS_LOCATION": "testshire",
}


@pytest.fixture
def s3_storage(settings):
    settings.STORAGES = {**settings.STORAGES, "default": scaling.default_storage(S3_ENV)}
    client = default_storage.connection.meta.client
    with Stubber(client) as stubber:
        yield stubber


def test_governance_report_file_is_written_to_the_bucket_under_the_council_prefix(s3_storage):
    key = "testshire/reports/governance-county-2026Q3.pdf"
    # The name is free (file_overwrite is off, so the storage asks first) ...
    s3_storage.add_client_error(
        "head_object",
        service_error_code="404",
        http_status_code=404,
        expected_params={"Bucket": "earlyhelp-files", "Key": key},
    )
    # ... then the file is uploaded there.
    s3_storage.add_response(
        "put_object",
        {"ETag": '"d41d8cd98f00b204e9800998ecf8427e"'},
        expected_params={
            "Bucket": "earlyhelp-files",
            "Key": key,
            "Body": ANY,
            "ChecksumAlgorithm": ANY,
            "ContentType": "application/pdf",
        },
    )
    report = GeneratedReport(quarter="2026Q3", format="pdf")

    report.file.save("governance-county-2026Q3.pdf", ContentFile(b"%PDF-1.7"), save=False)

    s3_storage.assert_no_pending_responses()
    assert report.file.name == "reports/governance-county-2026Q3.pdf"
    assert default_storage.endpoint_url == "http://minio.invalid:9000"
