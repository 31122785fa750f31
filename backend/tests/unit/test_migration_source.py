"""Reading db.json files as json-server writes (and accepts) them."""

import json
from pathlib import Path
from typing import Any

import pytest

from app.migration.source import Source, SourceError
from tests.conftest import patient


def write(tmp_path: Path, content: str, name: str = "db.json") -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def dump(tmp_path: Path, document: Any) -> Path:
    return write(tmp_path, json.dumps(document, ensure_ascii=False, indent=2))


def test_patients_are_read_in_order_with_ids_and_accents(tmp_path: Path) -> None:
    people = [
        {"id": "1", **patient(patientID="P001")},
        {"id": "3e3a", **patient(patientID="p003", name="José Álvarez")},
        {"id": 7, **patient(patientID="P007", age="50")},
    ]
    source = Source(dump(tmp_path, {"patients": people}))
    assert source.info.total == 3
    assert source.info.ignored == []
    assert list(source.records()) == people


def test_other_collections_are_ignored_and_reported(tmp_path: Path) -> None:
    document = {"posts": [{"id": "1"}], "patients": [patient()], "profile": {"name": "x"}}
    source = Source(dump(tmp_path, document))
    assert source.info.ignored == ["posts", "profile"]
    assert source.info.total == 1
    assert list(source.records()) == [patient()]


def test_non_integer_numbers_come_as_floats_so_the_rules_refuse_them(tmp_path: Path) -> None:
    source = Source(write(tmp_path, '{"patients": [{"age": 45.5, "n": 12}]}'))
    assert list(source.records()) == [{"age": 45.5, "n": 12}]


def test_records_of_any_shape_are_counted(tmp_path: Path) -> None:
    source = Source(write(tmp_path, '{"patients": [1, "x", null, [2], {"a": {"b": []}}]}'))
    assert source.info.total == 5
    assert list(source.records()) == [1, "x", None, [2], {"a": {"b": []}}]


@pytest.mark.parametrize("content", ["", "  \n", "{}", '{"posts": []}', '{"patients": []}'])
def test_files_without_patients_have_nothing_to_import(tmp_path: Path, content: str) -> None:
    source = Source(write(tmp_path, content))
    assert source.info.total == 0
    assert list(source.records()) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"patients": [{"id": "1"},', "is not valid JSON"),
        ('{"patients": [] } trailing', "is not valid JSON"),
        ('[{"id": "1"}]', "the top level must be an object of collections"),
        ('{"patients": {"1": {}}}', '"patients" must be an array'),
        ('{"patients": "none"}', '"patients" must be an array'),
    ],
)
def test_unreadable_files_are_refused_before_anything_is_read(
    tmp_path: Path, content: str, message: str
) -> None:
    with pytest.raises(SourceError, match=message):
        Source(write(tmp_path, content))


def test_a_missing_file_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="cannot read"):
        Source(tmp_path / "absent.json")


def test_json5_files_are_accepted_like_json_server_does(tmp_path: Path) -> None:
    content = """// exported by hand
    {
      patients: [
        {id: '3e3a', patientID: 'P001', name: 'Zoë', age: 45, gender: 'Female',
         medicalCondition: 'Asthma', lastVisit: '2024-01-15',},
      ],
      posts: [],
    }"""
    source = Source(write(tmp_path, content, "db.json5"))
    assert source.info.total == 1
    assert source.info.ignored == ["posts"]
    assert [record["name"] for record in source.records()] == ["Zoë"]


@pytest.mark.parametrize(
    ("content", "message"),
    [("{patients: [", "is not valid JSON5"), ("[1]", "top level"), ("{patients: 1}", "array")],
)
def test_bad_json5_is_refused(tmp_path: Path, content: str, message: str) -> None:
    with pytest.raises(SourceError, match=message):
        Source(write(tmp_path, content, "db.json5"))


@pytest.mark.parametrize(
    ("name", "lone"),
    [
        ("Ann \\ud83d\\ude00", False),  # a pair: an emoji, as json.dumps writes it
        ("Ann \\uD83D\\uDE00", False),
        ("Ann \\u00e9", False),
        ("Ann \\ud800", True),
        ("Ann \\ud800\\u0041", True),
        ("Ann \\udc00", True),
        ("Ann \\ude00\\ud83d", True),  # low before high: both unpaired
    ],
)
def test_finding_2_unpaired_surrogates_are_kept_so_the_record_is_refused(
    tmp_path: Path, name: str, lone: bool
) -> None:
    record = json.dumps(patient()).replace('"John Doe"', f'"{name}"')
    source = Source(write(tmp_path, f'{{"patients": [{record}]}}'))
    assert source.info.lone_surrogates is lone
    [read] = list(source.records())
    assert read["name"] == json.loads(f'"{name}"')  # exactly as written, never "?"


def test_finding_2_an_unpaired_surrogate_across_two_read_chunks_is_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("app.migration.source._SCAN_CHUNK", 64)
    record = json.dumps(patient())
    padding = " " * (64 - len('{"patients": [') - 3)  # the escape starts 3 bytes before the edge
    text = '{"patients": [' + padding + record.replace('"John Doe"', '"\\ud800"') + "]}"
    assert Source(write(tmp_path, text)).info.lone_surrogates


def test_a_file_that_is_not_utf8_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    path.write_bytes(b'{"patients": [{"name": "Ann \xed\xa0\x80"}]}')  # a surrogate's bytes
    with pytest.raises(SourceError, match="is not UTF-8 text"):
        Source(path)
