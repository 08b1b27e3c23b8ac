"""The DCAT catalogues of the public datasets, for harvesters that read catalogues rather than
CKAN's API: /data.json in DCAT-US 1.1 (Project Open Data, as data.gov harvests it) and
/catalog.jsonld in DCAT-AP (JSON-LD, as the European data portal harvests it).

DCAT-US's bureauCode and programCode are codes of the US federal budget; a city has none, so
they are left out, as non-federal publishers do (data.gov's non-federal schema does not ask
for them). A dataset's linked document is named only while it is public."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from hamkke.plaza.models import Dataset, Resource
from hamkke.plaza.opendata import ckan, selectors

POD_CONTEXT = "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld"
POD_SCHEMA = "https://project-open-data.cio.gov/v1.1/schema"
POD_CATALOG_SCHEMA = "https://project-open-data.cio.gov/v1.1/schema/catalog.json"

DCAT_AP_CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
}
EU_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
EU_FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"
EU_LANGUAGE = "http://publications.europa.eu/resource/authority/language/"
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
# Formats with a code in the EU's file-type vocabulary (the code, when it is spelt otherwise).
EU_FILE_TYPES = {
    "CSV": "CSV",
    "TSV": "TSV",
    "JSON": "JSON",
    "GEOJSON": "GEOJSON",
    "XML": "XML",
    "PDF": "PDF",
    "XLSX": "XLSX",
    "DOCX": "DOCX",
    "PPTX": "PPTX",
    "ODS": "ODS",
    "ODT": "ODT",
    "ODP": "ODP",
    "ZIP": "ZIP",
    "TEXT": "TXT",
    "TXT": "TXT",
    "PNG": "PNG",
    "JPEG": "JPEG",
}
# ISO 8601 refresh periods and the EU's frequency vocabulary.
EU_FREQUENCIES = {
    "PT1H": "HOURLY",
    "P1D": "DAILY",
    "P1W": "WEEKLY",
    "P2W": "BIWEEKLY",
    "P1M": "MONTHLY",
    "P2M": "BIMONTHLY",
    "P3M": "QUARTERLY",
    "P4M": "ANNUAL_3",
    "P6M": "ANNUAL_2",
    "P1Y": "ANNUAL",
    "P2Y": "BIENNIAL",
    "P3Y": "TRIENNIAL",
    "irregular": "IRREG",
}
EU_LANGUAGES = {"ko": "KOR", "en": "ENG"}


def _datasets(site: ckan.Site) -> list[Dataset]:
    datasets = list(selectors.with_details(selectors.public_datasets()).order_by("name"))
    site.know_documents_of(datasets)
    return datasets


def _email(dataset: Dataset) -> str:
    """The department's address, or the city's own when the department has none."""
    address = dataset.department.email or settings.DEFAULT_FROM_EMAIL
    return address.rsplit("<", 1)[-1].rstrip(">").strip()


def _keywords(dataset: Dataset) -> list[str]:
    """The tags; DCAT-US needs one keyword at least, so a dataset without tags is described by
    its category (or its department)."""
    tags = [tag.name for tag in dataset.tags.all()]
    if tags:
        return tags
    if dataset.category is not None:
        return [dataset.category.display_name]
    return [dataset.department.display_name]


def _themes(dataset: Dataset) -> list[str]:
    return [category.display_name for category in reversed(ckan.groups_of(dataset))]


def _landing(dataset: Dataset, site: ckan.Site) -> str:
    return site.absolute(ckan.dataset_url(dataset))


def _downloadable(resource: Resource) -> bool:
    """A file served here, or a link whose media type is known: what a harvester may fetch as
    the data itself (DCAT-US asks a downloadURL's media type)."""
    return bool(resource.file) or bool(resource.media_type)


# --- DCAT-US 1.1 ---------------------------------------------------------------------------------


def data_json(site: ckan.Site) -> dict:
    """The catalogue in DCAT-US 1.1 (Project Open Data's data.json)."""
    return {
        "@context": POD_CONTEXT,
        "@id": site.absolute("/data.json"),
        "@type": "dcat:Catalog",
        "conformsTo": POD_SCHEMA,
        "describedBy": POD_CATALOG_SCHEMA,
        "dataset": [_pod_dataset(dataset, site) for dataset in _datasets(site)],
    }


def _pod_dataset(dataset: Dataset, site: ckan.Site) -> dict:
    licence = site.licences.get(dataset.license_id)
    entry = {
        "@type": "dcat:Dataset",
        "title": dataset.title,
        "description": dataset.notes or dataset.title,
        "keyword": _keywords(dataset),
        "modified": dataset.modified_at.isoformat(timespec="seconds"),
        "issued": dataset.created_at.isoformat(timespec="seconds"),
        "publisher": {
            "@type": "org:Organization",
            "name": dataset.department.display_name,
            "subOrganizationOf": {"@type": "org:Organization", "name": site.city.display_name},
        },
        "contactPoint": {
            "@type": "vcard:Contact",
            "fn": dataset.department.display_name,
            "hasEmail": f"mailto:{_email(dataset)}",
        },
        "identifier": ckan.ckan_id("dataset", dataset.pk, site.city),
        "accessLevel": "public",
        "landingPage": _landing(dataset, site),
        "language": [site.city.default_language],
        "spatial": site.city.display_name,
        "distribution": [_pod_distribution(r, dataset, site) for r in dataset.resources.all()],
    }
    if licence is not None and licence.url:
        entry["license"] = licence.url
    if dataset.temporal_start and dataset.temporal_end:
        entry["temporal"] = (
            f"{dataset.temporal_start.isoformat()}/{dataset.temporal_end.isoformat()}"
        )
    if dataset.frequency:
        entry["accrualPeriodicity"] = (
            dataset.frequency if dataset.frequency == "irregular" else f"R/{dataset.frequency}"
        )
    if themes := _themes(dataset):
        entry["theme"] = themes
    if document := site.document_url(dataset):
        entry["references"] = [document]
    return entry


def _pod_distribution(resource: Resource, dataset: Dataset, site: ckan.Site) -> dict:
    out = {"@type": "dcat:Distribution", "title": resource.name}
    if resource.description:
        out["description"] = resource.description
    if resource.format:
        out["format"] = resource.format
    url = ckan.resource_url(resource, dataset, site)
    if _downloadable(resource):
        out["downloadURL"] = url
        out["mediaType"] = resource.media_type
    else:
        out["accessURL"] = url
    return out


# --- DCAT-AP (JSON-LD) ---------------------------------------------------------------------------


def _typed(value: str, datatype: str) -> dict:
    return {"@value": value, "@type": f"xsd:{datatype}"}


def _text(value: str) -> dict:
    return {"@value": value, "@language": get_language() or "ko"}


def catalog_jsonld(site: ckan.Site) -> dict:
    """The catalogue in DCAT-AP, as JSON-LD with its own context."""
    datasets = _datasets(site)
    city = site.city.display_name
    catalog = {
        "@context": DCAT_AP_CONTEXT,
        "@id": site.absolute("/catalog.jsonld"),
        "@type": "dcat:Catalog",
        "dct:title": _text(_("%(city)s open data") % {"city": city}),
        "dct:description": _text(
            _("Statistics and public data of %(city)s, from its Information Communication Plaza.")
            % {"city": city}
        ),
        "dct:publisher": {
            "@id": site.absolute("/"),
            "@type": "foaf:Organization",
            "foaf:name": city,
        },
        "foaf:homepage": {"@id": site.absolute(reverse("plaza:datasets"))},
        "dct:language": [
            {"@id": f"{EU_LANGUAGE}{EU_LANGUAGES.get(site.city.default_language, 'MUL')}"}
        ],
        "dcat:dataset": [_ap_dataset(dataset, site) for dataset in datasets],
    }
    if datasets:
        newest = max(dataset.modified_at for dataset in datasets)
        catalog["dct:modified"] = _typed(newest.isoformat(), "dateTime")
    return catalog


def _ap_dataset(dataset: Dataset, site: ckan.Site) -> dict:
    landing = _landing(dataset, site)
    licence = site.licences.get(dataset.license_id)
    list_url = site.absolute(reverse("plaza:datasets"))
    department = dataset.department
    entry = {
        "@id": landing,
        "@type": "dcat:Dataset",
        "dct:identifier": ckan.ckan_id("dataset", dataset.pk, site.city),
        "dct:title": _text(dataset.title),
        "dct:description": _text(dataset.notes or dataset.title),
        "dcat:keyword": [_text(keyword) for keyword in _keywords(dataset)],
        "dct:publisher": {
            "@id": f"{list_url}?organization={department.code}",
            "@type": "foaf:Organization",
            "foaf:name": department.display_name,
        },
        "dcat:contactPoint": {
            "@type": "vcard:Organization",
            "vcard:fn": department.display_name,
            "vcard:hasEmail": {"@id": f"mailto:{_email(dataset)}"},
        },
        "dct:issued": _typed(dataset.created_at.isoformat(), "dateTime"),
        "dct:modified": _typed(dataset.modified_at.isoformat(), "dateTime"),
        "dcat:landingPage": {"@id": landing},
        "dcat:theme": [
            {
                "@id": f"{list_url}?category={category.code}",
                "@type": "skos:Concept",
                "skos:prefLabel": _text(category.display_name),
            }
            for category in reversed(ckan.groups_of(dataset))
        ],
        "dcat:distribution": [
            _ap_distribution(resource, dataset, landing, site)
            for resource in dataset.resources.all()
        ],
    }
    if licence is not None and licence.url:
        entry["dct:license"] = {"@id": licence.url}
    if dataset.temporal_start and dataset.temporal_end:
        entry["dct:temporal"] = {
            "@type": "dct:PeriodOfTime",
            "dcat:startDate": _typed(dataset.temporal_start.isoformat(), "date"),
            "dcat:endDate": _typed(dataset.temporal_end.isoformat(), "date"),
        }
    if dataset.frequency in EU_FREQUENCIES:
        entry["dct:accrualPeriodicity"] = {
            "@id": f"{EU_FREQUENCY}{EU_FREQUENCIES[dataset.frequency]}"
        }
    if document := site.document_url(dataset):
        entry["dct:references"] = [{"@id": document}]
    return entry


def _ap_distribution(resource: Resource, dataset: Dataset, landing: str, site: ckan.Site) -> dict:
    url = ckan.resource_url(resource, dataset, site)
    licence = site.licences.get(dataset.license_id)
    out: dict = {
        "@id": f"{landing}#resource-{resource.pk}",
        "@type": "dcat:Distribution",
        "dct:title": _text(resource.name),
        "dcat:accessURL": {"@id": url},
        "dct:issued": _typed(resource.created_at.isoformat(), "dateTime"),
        "dct:modified": _typed(resource.modified_at.isoformat(), "dateTime"),
    }
    if _downloadable(resource):
        out["dcat:downloadURL"] = {"@id": url}
    if resource.description:
        out["dct:description"] = _text(resource.description)
    code = EU_FILE_TYPES.get(resource.format.upper())
    if code:
        out["dct:format"] = {"@id": f"{EU_FILE_TYPE}{code}"}
    elif resource.format:
        out["dct:format"] = resource.format
    if resource.media_type:
        out["dcat:mediaType"] = {"@id": f"{IANA_MEDIA_TYPES}{resource.media_type}"}
    if resource.size is not None:
        out["dcat:byteSize"] = _typed(str(resource.size), "nonNegativeInteger")
    if licence is not None and licence.url:
        out["dct:license"] = {"@id": licence.url}
    return out
