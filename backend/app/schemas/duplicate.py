"""Possible duplicates on the wire: a match candidate and its matches, a pair, marking a pair
distinct, a merge (the rule that scores them: app/matching.py)."""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from app.schemas.page import Page
from app.schemas.patient import (
    WIRE_CONFIG,
    Age,
    GenderField,
    PatientID,
    PatientPatch,
    PatientRead,
    Text,
)

Grade = Literal["certain", "probable", "possible"]
Score = Field(ge=0, le=1, description="How alike, 0 to 1 (app/matching.py)")
Reasons = Field(description='The evidence, e.g. "name sounds alike", "same age"')
PatientKey = Field(ge=1, le=2**31 - 1, strict=True)
CANDIDATE_EXAMPLE: dict[str, JsonValue] = {"name": "Jon Smyth", "age": 45, "gender": "Male"}


class MatchCandidate(BaseModel):
    """A patient about to be registered, as POST /patients would take it: `name` is required,
    `age`, `gender` and `patientID` are evidence when given, the other two fields are accepted
    (the whole register form may be sent) and not compared."""

    model_config = ConfigDict(**WIRE_CONFIG, json_schema_extra={"examples": [CANDIDATE_EXAMPLE]})

    name: Text
    age: Age | None = None
    gender: GenderField | None = None
    patient_id: PatientID | None = Field(default=None, alias="patientID")
    medical_condition: Any = None
    last_visit: Any = None


class MatchRead(BaseModel):
    """A stored patient like the candidate."""

    model_config = ConfigDict(from_attributes=True)

    patient: PatientRead
    score: float = Score
    grade: Grade
    reasons: list[str] = Reasons


class PairRead(BaseModel):
    """Two live patients that may be one person (`a` the lower id)."""

    model_config = ConfigDict(from_attributes=True)

    a: PatientRead
    b: PatientRead
    score: float = Score
    grade: Literal["certain", "probable"]
    reasons: list[str] = Reasons


class PairPage(Page[PairRead]):
    """A page of possible-duplicate pairs, highest score first."""


class DistinctBody(BaseModel):
    """Two patients staff know to be different people."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"a": 7, "b": 12}]})

    a: int = PatientKey
    b: int = PatientKey


class MergeBody(BaseModel):
    """Which record stays, which one is merged into it, and the values the kept one takes."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"keep": 7, "remove": 12, "values": {"age": 46}}]},
    )

    keep: int = PatientKey
    remove: int = PatientKey
    values: PatientPatch | None = Field(
        default=None,
        description="Field values the kept record takes (not patientID: the merged record"
        " keeps its own reserved); the rest stay as they are",
    )
