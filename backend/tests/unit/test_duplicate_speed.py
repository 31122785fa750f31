"""The speed benchmark's pure parts: the candidates it asks for are stored names with exactly one
slip (a benchmark of exact names, or of garbage, would measure another search), and its doc
section replaces only itself."""

import random

from benchmarks.duplicate_speed import (
    END,
    MIGRATION,
    START,
    candidates,
    masked,
    migration_objects,
    misspelled,
    replace_section,
    slowdown,
)

RECORDS = [
    {"name": name, "age": 30 + index % 50, "gender": ("Male", "Female")[index % 2]}
    for index, name in enumerate(
        f"{first} {last}"
        for first in ("Maria", "John", "Søren", "Ana Lucía", "Wei")
        for last in ("García", "Smith", "Kowalski", "O'Brien", "Nakamura", "Dubois")
    )
]


def one_edit_apart(a: str, b: str) -> bool:
    """One letter changed, dropped or added."""
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = sorted((a, b), key=len)
    if len(long) - len(short) != 1:
        return False
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def test_a_misspelled_name_is_one_edit_from_the_name_in_one_word() -> None:
    rng = random.Random(1)
    for record in RECORDS * 20:
        name = str(record["name"])
        slipped = misspelled(rng, name)
        assert slipped is not None
        assert one_edit_apart(name, slipped), (name, slipped)
        assert len(slipped.split(" ")) == len(name.split(" "))


def test_a_name_too_short_for_any_slip_gives_none() -> None:
    assert misspelled(random.Random(1), "Al") is None


def test_candidates_are_distinct_with_the_stored_age_and_gender() -> None:
    chosen = candidates(RECORDS, 40, seed=7)
    assert len(chosen) == 40
    assert len({candidate.name for candidate in chosen}) == 40
    for candidate in chosen:
        stored = [
            r
            for r in RECORDS
            if one_edit_apart(str(r["name"]), candidate.name)
            and (r["age"], r["gender"]) == (candidate.age, candidate.gender)
        ]
        assert stored, candidate
        assert candidate.line.split("\t") == [candidate.name, str(candidate.age), candidate.gender]
    assert candidates(RECORDS, 40, seed=7) == chosen


def test_the_section_is_added_once_then_replaced_in_place() -> None:
    doc = "# Possible duplicates\n\n<!-- quality:start -->\nquality\n<!-- quality:end -->\n"
    first = replace_section(doc, f"{START}\nfirst\n{END}\n")
    assert first.startswith(doc.rstrip("\n"))
    assert first.endswith(f"{START}\nfirst\n{END}\n")
    second = replace_section(first.replace(END, END + "\n\nafter"), f"{START}\nsecond\n{END}\n")
    assert "first" not in second
    assert second.count(START) == 1
    assert second.index("quality") < second.index("second") < second.index("after")


def test_the_slowdown_compares_the_means_and_each_alternated_pair() -> None:
    runs = [
        {"variant": "without", "rps": 1000.0},
        {"variant": "with", "rps": 900.0},
        {"variant": "without", "rps": 1100.0},
        {"variant": "with", "rps": 1045.0},
    ]
    loss, pairs = slowdown(runs)
    assert round(loss, 4) == round(1 - 1945 / 2100, 4)
    assert pairs == [0.9, 0.95]


def test_the_feature_switched_off_is_what_migration_0010_adds_to_patients() -> None:
    indexes, triggers = migration_objects(MIGRATION.read_text(encoding="utf-8"))
    assert "ix_patients_name_key_trgm" in indexes
    assert not any("duplicate_pairs" in name or "distinct" in name for name in indexes)
    assert triggers == ["patients_to_check_insert", "patients_to_check_update"]


def test_a_plan_keeps_no_trace_of_the_candidate() -> None:
    plan = (
        "Filter: ((keys && '{\"maria nunez\",~MR NNS}'::text[]) AND (gender = 'Female'::text)"
        " AND (sound = 'MR NNS'::text) AND (key % 'Núñez, María'::text)"
        " AND (keys @> '{\"~MR NNS\"}'::text[]))"
    )
    shown = masked(plan, "María Núñez")
    assert "nunez" not in shown.lower() and "núñez" not in shown.lower()
    assert "NNS" not in shown
    assert "'Female'::text" in shown
    assert shown.count("'<name>'") == 2 and shown.count("'<sound>'") == 2
