"""The labelled data set that judges duplicate detection: the same every time, valid for the
API, and each injected change exactly what its label says (a wrong label would mis-score the
matcher)."""

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from app.schemas.patient import PatientCreate
from benchmarks.duplicates_data import (
    DISTINCT_PAIRS,
    KINDS,
    MIN_DUPLICATES,
    Labelled,
    Record,
    build,
    fold,
    write,
)

SIZE = 5000
# The spellings a phonetic variant may replace (old, new), as the issue lists them.
SOUND_ALIKE = [("ph", "f"), ("y", "i"), ("ck", "k"), ("th", "t"), ("c", "k"), ("sch", "sh")]


@pytest.fixture(scope="module")
def data() -> Labelled:
    return build(SIZE)


@pytest.fixture(scope="module")
def records(data: Labelled) -> dict[str, Record]:
    return {record["id"]: record for record in data.records}


def test_the_same_seed_gives_the_same_data(data: Labelled) -> None:
    again = build(SIZE)
    assert again.records == data.records
    assert again.labels() == data.labels()


def test_counts(data: Labelled) -> None:
    kinds = Counter(pair["kind"] for pair in data.duplicates)
    assert len(data.duplicates) >= max(MIN_DUPLICATES, SIZE // 100)
    assert set(kinds) == set(KINDS)
    assert len(set(kinds.values())) == 1, kinds  # spread evenly
    assert len(data.distinct) == DISTINCT_PAIRS
    assert len(data.records) == SIZE + len(data.duplicates) + len(data.distinct)
    assert data.labels()["coincidental"] == len(data.coincidental_pairs)


def test_every_record_is_valid_for_the_api(data: Labelled) -> None:
    assert [record["id"] for record in data.records] == [
        str(index) for index in range(1, len(data.records) + 1)
    ]
    for record in data.records:
        body = {key: value for key, value in record.items() if key != "id"}
        PatientCreate.model_validate(body)


def test_patient_ids_are_unique_ignoring_case(data: Labelled) -> None:
    ids = [record["patientID"].lower() for record in data.records]
    assert len(set(ids)) == len(ids)


def test_every_labelled_record_is_in_one_pair_only(data: Labelled) -> None:
    ends = [pair[end] for pair in [*data.duplicates, *data.distinct] for end in ("a", "b")]
    assert len(set(ends)) == len(ends)


def one_word_changed(before: str, after: str) -> tuple[str, str]:
    """The one word that differs between two names of as many words."""
    old, new = before.split(" "), after.split(" ")
    assert len(old) == len(new), (before, after)
    changed = [(a, b) for a, b in zip(old, new, strict=True) if a != b]
    assert len(changed) == 1, (before, after)
    return changed[0]


def one_deletion(longer: str, shorter: str) -> list[int]:
    """Where one character taken out of `longer` leaves `shorter`."""
    return [i for i in range(len(longer)) if longer[:i] + longer[i + 1 :] == shorter]


def typo(base: Record, copy: Record) -> None:
    old, new = one_word_changed(base["name"], copy["name"])
    assert len(old) == len(new)
    assert sum(a != b for a, b in zip(old, new, strict=True)) == 1
    assert fold(old) != fold(new)  # another letter, not the same one without its accent


def dropped(base: Record, copy: Record) -> None:
    old, new = one_word_changed(base["name"], copy["name"])
    assert one_deletion(old, new), (old, new)


def doubled(base: Record, copy: Record) -> None:
    old, new = one_word_changed(base["name"], copy["name"])
    spots = one_deletion(new, old)
    assert any(new[i] in (new[i - 1 : i] + new[i + 1 : i + 2]) for i in spots), (old, new)


def accents(base: Record, copy: Record) -> None:
    before, after = base["name"], copy["name"]
    assert after != before and after.isascii() and len(after) == len(before)
    for old, new in zip(before, after, strict=True):
        assert old == new or not old.isascii(), (before, after)
    assert fold(after) == fold(before)


def swapped(base: Record, copy: Record) -> None:
    old, new = base["name"].split(" "), copy["name"].replace(",", "").split(" ")
    assert new != old
    assert any(new == old[i:] + old[:i] for i in range(1, len(old))), (old, new)
    assert fold(copy["name"]) == fold(base["name"])


def phonetic(base: Record, copy: Record) -> None:
    old, new = (word.lower() for word in one_word_changed(base["name"], copy["name"]))
    # a doubled consonant written once
    doubles = [(old[i : i + 2], old[i]) for i in range(len(old) - 1) if old[i] == old[i + 1]]
    assert any(
        old[i:].startswith(spelling) and old[:i] + sound + old[i + len(spelling) :] == new
        for spelling, sound in [*SOUND_ALIKE, *doubles]
        for i in range(len(old))
    ), (old, new)


def patient_id(base: Record, copy: Record) -> None:
    assert copy["name"] == base["name"]
    old, new = base["patientID"].lower(), copy["patientID"].lower()
    assert len(old) == len(new)
    assert sum(a != b for a, b in zip(old, new, strict=True)) == 1


def age(base: Record, copy: Record) -> None:
    assert copy["name"] == base["name"]
    assert abs(copy["age"] - base["age"]) == 1


CHECKS: dict[str, Callable[[Record, Record], None]] = {
    "one_letter_typo": typo,
    "dropped_letter": dropped,
    "doubled_letter": doubled,
    "accents_removed": accents,
    "swapped_order": swapped,
    "phonetic_variant": phonetic,
    "patient_id_one_edit": patient_id,
    "age_off_by_one": age,
}


@pytest.mark.parametrize("kind", KINDS)
def test_each_duplicate_has_its_one_change(
    kind: str, data: Labelled, records: dict[str, Record]
) -> None:
    pairs = [pair for pair in data.duplicates if pair["kind"] == kind]
    for pair in pairs:
        base, copy = records[pair["a"]], records[pair["b"]]
        CHECKS[kind](base, copy)
        assert copy["gender"] == base["gender"]
        assert copy["patientID"].lower() != base["patientID"].lower()
        if kind != "age_off_by_one":
            assert copy["age"] == base["age"]


def test_hard_non_duplicates_share_only_the_name(
    data: Labelled, records: dict[str, Record]
) -> None:
    for pair in data.distinct:
        one, other = records[pair["a"]], records[pair["b"]]
        assert one["name"] == other["name"]
        assert one["gender"] != other["gender"]
        assert abs(one["age"] - other["age"]) >= 5
        assert one["patientID"].lower() != other["patientID"].lower()


def test_coincidental_pairs_look_like_duplicates(
    data: Labelled, records: dict[str, Record]
) -> None:
    labelled = {frozenset((pair["a"], pair["b"])) for pair in data.duplicates}
    for a, b in data.coincidental_pairs:
        one, other = records[a], records[b]
        assert fold(one["name"]) == fold(other["name"])
        assert one["gender"] == other["gender"]
        assert abs(one["age"] - other["age"]) <= 1
        assert frozenset((a, b)) not in labelled


def test_db_json_and_labels_are_written_as_built(data: Labelled, tmp_path: Path) -> None:
    write(data, tmp_path)
    db = json.loads((tmp_path / "db.json").read_text(encoding="utf-8"))
    labels = json.loads((tmp_path / "labels.json").read_text())
    assert db == {"patients": data.records}
    assert labels["duplicates"] == data.duplicates
    assert labels["distinct"] == data.distinct
    assert labels["coincidental"] == len(data.coincidental_pairs)
