"""The children in need census return as typed data.

The classes mirror the census XML: one class per element group, one field per data item, in XML
order. Each field's ``Annotated`` metadata is its specification (:mod:`cin_xl.census.spec`), so this file
is the single declaration of the census layout for every supported year.

Values are kept as the user gave them. A date that could be read is a ``date``; one that could not
(``"31/02/2025"``, ``"soon"``) stays the text it was, so that it can be shown back in its cell and
flagged. The same goes for booleans and integers. Codes are kept as text, valid or not.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import MISSING as _NO_DEFAULT
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, ClassVar, TypeVar, cast, dataclass_transform

from pydantic import ConfigDict
from pydantic import Field as _Field
from pydantic.dataclasses import dataclass as _pydantic_dataclass

from cin_xl import __version__
from cin_xl.census.spec import Group, Item, Kind
from cin_xl.perf import cached

if TYPE_CHECKING:  # pragma: no cover
    from pydantic.fields import FieldInfo

DateValue = date | str | None
DateTimeValue = datetime | str | None
BoolValue = bool | str | None
IntValue = int | str | None
Text = str | None


@dataclass(slots=True)  # one per record: a million on the largest returns
class Origin:
    """Where a node was read from: a workbook row or an XML element.

    Origins are bookkeeping, not census data: any two compare equal, so a return read from a
    workbook equals the same return read from XML.
    """

    sheet: str | None = None
    row: int | None = None
    path: str | None = None
    line: int | None = None
    #: field name -> cell reference ("C12") or XML line of the element holding that value
    cells: dict[str, str | int] = field(default_factory=dict)
    #: field name -> path of the element holding that value; relative to ``path`` unless it starts with
    #: "/" (the XML reader shares one dict of element names per record class: a million full paths would
    #: be a gigabyte). It may name fields the element lacks: ``cells`` says which were read
    paths: dict[str, str] = field(default_factory=dict)

    def path_of(self, name: str) -> str | None:
        """The path of the element holding field ``name``, if known."""
        found = self.paths.get(name)
        if found is None or found.startswith("/") or self.path is None:
            return found
        return f"{self.path}/{found}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Origin) or other is None

    __hash__ = None  # type: ignore[assignment]


class Node:
    """A record of the return. Its fields are declared by the record classes below.

    Records are pydantic dataclasses with slots, not ``BaseModel``s: the rules read a few million
    fields per validation, and a slot is read several times faster than a model field (on Python
    3.11 every ``BaseModel`` attribute goes through its ``__getattr__`` hook). Pydantic still checks
    records built by keyword (the generator, tests); readers use :func:`build`.
    """

    __slots__ = ("_origin",)
    if TYPE_CHECKING:  # set on each record class by pydantic (see :func:`record`)
        __pydantic_fields__: ClassVar[dict[str, FieldInfo]]

    def __post_init__(self) -> None:
        self._origin: Origin | None = None

    @property
    def origin(self) -> Origin | None:
        return self._origin

    def at(self, origin: Origin | None) -> Node:
        self._origin = origin
        return self

    def copy(self) -> Node:
        """A deep copy, origins included."""
        return copy.deepcopy(self)


_Record = TypeVar("_Record")
_Node = TypeVar("_Node", bound=Node)


@dataclass_transform(field_specifiers=(_Field, field))  # type checkers see the fields as a dataclass's
def record(cls: type[_Record]) -> type[_Record]:
    """Declare a record class: a pydantic dataclass with slots that refuses unknown fields."""
    made = _pydantic_dataclass(slots=True, config=ConfigDict(extra="forbid", defer_build=True))(cls)
    return cast("type[_Record]", made)  # the same class, made a dataclass (with slots: a new class object)


def record_fields(cls: type[Node]) -> dict[str, FieldInfo]:
    """Field name -> pydantic ``FieldInfo`` (with the spec in its ``metadata``), in declaration order."""
    return cls.__pydantic_fields__


@cached
def _builder(cls: type[_Node]) -> Callable[[dict[str, object], Origin | None], _Node]:
    """A function making a ``cls`` record from typed values without validating them (see :func:`build`).

    Generated once per class, like dataclasses' own ``__init__``: a million records on the largest
    returns make a generic loop over the fields a visible part of reading.
    """
    lines = ["def make(values, origin):", "    node = new(cls)", "    get = values.get"]
    namespace: dict[str, object] = {"new": object.__new__, "cls": cls}
    for i, (name, info) in enumerate(record_fields(cls).items()):
        if info.default_factory is not None:
            namespace[f"factory{i}"] = info.default_factory
            lines.append(f"    node.{name} = values[{name!r}] if {name!r} in values else factory{i}()")
        elif info.default is _NO_DEFAULT or info.default is None:
            lines.append(f"    node.{name} = get({name!r})")
        else:
            namespace[f"default{i}"] = info.default
            lines.append(f"    node.{name} = get({name!r}, default{i})")
    lines += ["    node._origin = origin", "    return node"]
    exec("\n".join(lines), namespace)
    return namespace["make"]  # type: ignore[return-value]


def build(cls: type[_Node], values: dict[str, object], origin: Origin | None = None) -> _Node:
    """A record from values a reader has already typed, with its origin.

    Validation of each record would only copy values the reader has typed already; on the largest
    returns (a million records) it would be a third of reading. Fields not given take their defaults.
    """
    return _builder(cls)(values, origin)


# ---------------------------------------------------------------------------------------------
# Header
# ---------------------------------------------------------------------------------------------


@record
class CollectionDetails(Node):
    collection: Annotated[Text, Item("Collection", Kind.TEXT, "Collection", required=True, fixed="CIN")] = "CIN"
    year: Annotated[IntValue, Item("Year", Kind.INT, "Year", required=True,
                                   guidance="End year of the census: 2027 for 2026-27")] = None
    reference_date: Annotated[DateValue, Item("ReferenceDate", Kind.DATE, "Reference date", "N00603",
                                              required=True, guidance="31 March at the end of the census year")] = None


@record
class Source(Node):
    source_level: Annotated[Text, Item("SourceLevel", Kind.TEXT, "Source level", required=True, fixed="L")] = "L"
    lea: Annotated[Text, Item("LEA", Kind.TEXT, "LA code", required=True, pattern=r"\d{3}",
                              guidance="Your authority's 3-digit DfE LA code")] = None
    software_code: Annotated[Text, Item("SoftwareCode", Kind.TEXT, "Software code", required=True,
                                        filled_at_export=lambda now: "cin-xl")] = None
    release: Annotated[Text, Item("Release", Kind.TEXT, "Release", required=True,
                                  filled_at_export=lambda now: __version__)] = None
    serial_no: Annotated[Text, Item("SerialNo", Kind.TEXT, "Serial number", required=True, pattern=r"\d{3,}")] = None
    date_time: Annotated[DateTimeValue, Item("DateTime", Kind.DATETIME, "Date and time of the file",
                                             required=True,
                                             filled_at_export=lambda now: now.replace(microsecond=0))] = None


@record
class Header(Node):
    collection_details: Annotated[CollectionDetails, Group("CollectionDetails", "Collection details",
                                                           required=True)] = _Field(default_factory=CollectionDetails)
    source: Annotated[Source, Group("Source", "Source", required=True)] = _Field(default_factory=Source)


# ---------------------------------------------------------------------------------------------
# Child
# ---------------------------------------------------------------------------------------------


@record
class ChildIdentifiers(Node):
    la_child_id: Annotated[Text, Item("LAchildID", Kind.TEXT, "LA child ID", "N00097", required=True,
                                      max_length=20, pattern=r"[A-Za-z0-9]+",
                                      guidance="Your own ID for the child: up to 20 letters and digits")] = None
    upn: Annotated[Text, Item("UPN", Kind.TEXT, "UPN", "N00001",
                              guidance="Unique pupil number: 13 characters, check letter first")] = None
    former_upn: Annotated[Text, Item("FormerUPN", Kind.TEXT, "Former UPN", "N00002")] = None
    upn_unknown: Annotated[Text, Item("UPNunknown", Kind.CODE, "Reason UPN unknown", "N00135",
                                      codeset="UPNunknown")] = None
    person_birth_date: Annotated[DateValue, Item("PersonBirthDate", Kind.DATE, "Date of birth", "N00066")] = None
    expected_person_birth_date: Annotated[DateValue, Item("ExpectedPersonBirthDate", Kind.DATE,
                                                          "Expected date of birth", "N00098",
                                                          guidance="For an unborn child only")] = None
    sex: Annotated[Text, Item("Sex", Kind.CODE, "Sex", "N00783", codeset="Sex", required=True,
                              since="2024-25")] = None
    gender_current: Annotated[Text, Item("GenderCurrent", Kind.CODE, "Gender", "N00065",
                                         codeset="GenderCurrent", required=True, until="2023-24")] = None
    person_death_date: Annotated[DateValue, Item("PersonDeathDate", Kind.DATE, "Date of death", "N00108")] = None


@record
class ChildCharacteristics(Node):
    ethnicity: Annotated[Text, Item("Ethnicity", Kind.CODE, "Ethnicity", "N00177", codeset="Ethnicity",
                                    required=True)] = None
    disabilities: Annotated[list[str], Item("Disability", Kind.CODE, "Disabilities", "N00099",
                                            codeset="Disability", wrapper="Disabilities",
                                            guidance="All that apply, or NONE")] = _Field(default_factory=list)


@record
class Assessment(Node):
    start_date: Annotated[DateValue, Item("AssessmentActualStartDate", Kind.DATE, "Assessment start date",
                                          "N00159", required=True)] = None
    internal_review_date: Annotated[DateValue, Item("AssessmentInternalReviewDate", Kind.DATE,
                                                    "Internal review date")] = None
    authorisation_date: Annotated[DateValue, Item("AssessmentAuthorisationDate", Kind.DATE,
                                                  "Assessment authorisation date", "N00160",
                                                  guidance="The date the assessment was completed")] = None
    factors: Annotated[list[str], Item("AssessmentFactors", Kind.CODE, "Factors identified", "N00181",
                                       codeset="AssessmentFactors", wrapper="FactorsIdentifiedAtAssessment",
                                       guidance="Factors identified at the end of the assessment")
                       ] = _Field(default_factory=list)


@record
class CINPlan(Node):
    start_date: Annotated[DateValue, Item("CINPlanStartDate", Kind.DATE, "CIN plan start date", "N00689",
                                          required=True)] = None
    end_date: Annotated[DateValue, Item("CINPlanEndDate", Kind.DATE, "CIN plan end date", "N00690")] = None


@record
class Section47(Node):
    start_date: Annotated[DateValue, Item("S47ActualStartDate", Kind.DATE, "Section 47 start date", "N00148",
                                          required=True)] = None
    initial_cpc_target: Annotated[DateValue, Item("InitialCPCtarget", Kind.DATE, "Initial CPC target date",
                                                  "N00109")] = None
    date_of_initial_cpc: Annotated[DateValue, Item("DateOfInitialCPC", Kind.DATE,
                                                   "Date of initial child protection conference", "N00110")] = None
    icpc_not_required: Annotated[BoolValue, Item("ICPCnotRequired", Kind.BOOL, "ICPC not required", "N00111",
                                                 required=True)] = None


@record
class ChildProtectionPlan(Node):
    start_date: Annotated[DateValue, Item("CPPstartDate", Kind.DATE, "CP plan start date", "N00105",
                                          required=True)] = None
    end_date: Annotated[DateValue, Item("CPPendDate", Kind.DATE, "CP plan end date", "N00115")] = None
    initial_category_of_abuse: Annotated[Text, Item("InitialCategoryOfAbuse", Kind.CODE,
                                                    "Initial category of abuse", "N00113",
                                                    codeset="CategoryOfAbuse", required=True)] = None
    latest_category_of_abuse: Annotated[Text, Item("LatestCategoryOfAbuse", Kind.CODE,
                                                   "Latest category of abuse", "N00114",
                                                   codeset="CategoryOfAbuse", required=True)] = None
    number_of_previous_cpp: Annotated[IntValue, Item("NumberOfPreviousCPP", Kind.INT,
                                                     "Number of previous CP plans", "N00106",
                                                     required=True)] = None
    review_dates: Annotated[list[DateValue], Item("CPPreviewDate", Kind.DATE, "Review dates", "N00116",
                                                  wrapper="Reviews")] = _Field(default_factory=list)


@record
class PreProceedings(Node):
    """Pre-proceedings and family group decision making ("module 5"), new in 2026-27.

    Cardinality and meanings follow the Department's draft 2026-27 specification: every item is
    optional here and the rules 8995Q-9015Q say what is expected.
    """

    pp_start_date: Annotated[DateValue, Item("PPStartDate", Kind.DATE, "Pre-proceedings start date", "N00826",
                                             since="2026-27",
                                             guidance="Date of the decision to start pre-proceedings")] = None
    lbp_sent_date: Annotated[DateValue, Item("LBPSentDate", Kind.DATE, "Letter before proceedings sent",
                                             "N00827", since="2026-27")] = None
    fgdm_meeting_offer: Annotated[BoolValue, Item("FGDMMeetingOffer", Kind.BOOL, "FGDM meeting offered",
                                                  "N00828", since="2026-27",
                                                  guidance="Family group decision making meeting offered "
                                                           "in the letter before proceedings")] = None
    fgdm_meeting_fac: Annotated[BoolValue, Item("FGDMMeetingFac", Kind.BOOL, "FGDM meeting facilitated",
                                                "N00829", since="2026-27")] = None
    initial_pp_meeting_date: Annotated[DateValue, Item("InitialPPMeetingDate", Kind.DATE,
                                                       "Initial pre-proceedings meeting", "N00830",
                                                       since="2026-27")] = None
    review_meetings_count: Annotated[IntValue, Item("ReviewMeetingsCount", Kind.INT,
                                                    "Review meetings held", "N00831", since="2026-27")] = None
    step_decision_date: Annotated[DateValue, Item("StepDecisionDate", Kind.DATE, "Step up/down decision",
                                                  "N00832", since="2026-27")] = None
    pp_outcome: Annotated[Text, Item("PPOutcome", Kind.CODE, "Pre-proceedings outcome", "N00833",
                                     codeset="PPOutcome", since="2026-27",
                                     guidance="Code A, B or C: their meanings are in the code table CS131 of "
                                              "the DfE children in need census specification 2026-27")] = None
    court_app_date: Annotated[DateValue, Item("CourtAppDate", Kind.DATE, "Court application date",
                                              "N00834", since="2026-27")] = None
    letter_init_cp_date: Annotated[DateValue, Item("LetterInitCPDate", Kind.DATE,
                                                   "Letter initiating care proceedings", "N00835",
                                                   since="2026-27")] = None


@record
class CINDetails(Node):
    """One episode of need, from referral to closure."""

    referral_date: Annotated[DateValue, Item("CINreferralDate", Kind.DATE, "Referral date", "N00100",
                                             required=True)] = None
    referral_source: Annotated[Text, Item("ReferralSource", Kind.CODE, "Referral source", "N00152",
                                          codeset="ReferralSource", required=True)] = None
    primary_need_code: Annotated[Text, Item("PrimaryNeedCode", Kind.CODE, "Primary need", "N00101",
                                            codeset="PrimaryNeed")] = None
    closure_date: Annotated[DateValue, Item("CINclosureDate", Kind.DATE, "Closure date", "N00102")] = None
    reason_for_closure: Annotated[Text, Item("ReasonForClosure", Kind.CODE, "Reason for closure", "N00103",
                                             codeset="ReasonForClosure")] = None
    date_of_initial_cpc: Annotated[DateValue, Item("DateOfInitialCPC", Kind.DATE,
                                                   "Initial CPC date (no section 47 in this episode)", "N00110",
                                                   guidance="Only when the conference was held without a "
                                                            "section 47 enquiry in this episode")] = None
    assessments: Annotated[list[Assessment], Group("Assessments", "Assessments")] = _Field(default_factory=list)
    cin_plans: Annotated[list[CINPlan], Group("CINPlanDates", "CIN plans", since="2021-22")
                         ] = _Field(default_factory=list)
    section47s: Annotated[list[Section47], Group("Section47", "Section 47 enquiries")] = _Field(default_factory=list)
    referral_nfa: Annotated[BoolValue, Item("ReferralNFA", Kind.BOOL, "Referral with no further action",
                                            "N00112", required=True)] = None
    child_protection_plans: Annotated[list[ChildProtectionPlan],
                                      Group("ChildProtectionPlans", "Child protection plans")
                                      ] = _Field(default_factory=list)
    pre_proceedings: Annotated[PreProceedings | None, Group("PreProceedingsandFGDM", "Pre-proceedings",
                                                            since="2026-27")] = None


@record
class Child(Node):
    identifiers: Annotated[ChildIdentifiers, Group("ChildIdentifiers", "Identifiers",
                                                   required=True)] = _Field(default_factory=ChildIdentifiers)
    characteristics: Annotated[ChildCharacteristics, Group("ChildCharacteristics", "Characteristics",
                                                           required=True)
                               ] = _Field(default_factory=ChildCharacteristics)
    cin_details: Annotated[list[CINDetails], Group("CINdetails", "CIN episodes", required=True)
                           ] = _Field(default_factory=list)

    @property
    def la_child_id(self) -> str | None:
        return self.identifiers.la_child_id


@record
class CensusReturn(Node):
    """A whole census return: ``<Message>``."""

    header: Annotated[Header, Group("Header", "Header", required=True)] = _Field(default_factory=Header)
    children: Annotated[list[Child], Group("Child", "Children", required=True, wrapper="Children")
                        ] = _Field(default_factory=list)

    def episodes(self) -> Iterator[tuple[Child, CINDetails]]:
        for child in self.children:
            for episode in child.cin_details:
                yield child, episode


ROOT_ELEMENT = "Message"
