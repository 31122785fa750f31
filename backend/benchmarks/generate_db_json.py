"""Write a json-server style db.json of N patients for the import benchmark.

Deterministic (fixed seed), realistic: accented names, json-server's mixed ids (numeric strings,
numbers and 1.0's four-hex-digit ids), about 0.1% invalid records and a few patientIDs repeated
later in the file with another case, as real clinic files have.
Usage: python -m benchmarks.generate_db_json 1000000 /tmp/db.json
"""

import argparse
import json
import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

FIRST = [
    "John",
    "Jane",
    "José",
    "María",
    "Émile",
    "Zoë",
    "Søren",
    "Ana",
    "Bob",
    "Chloé",
    "Łukasz",
    "Núria",
    "Björn",
    "Ines",
    "François",
    "Mohammed",
    "Aiko",
    "Olga",
    "Raúl",
    "Siobhán",
    "Wei",
    "Ngozi",
    "Priya",
    "Tomás",
    "Hélène",
    "Jürgen",
    "Kofi",
    "Leïla",
    "Mateo",
    "Åsa",
]
LAST = [
    "Doe",
    "Smith",
    "Álvarez",
    "Zola",
    "Müller",
    "García",
    "Kowalski",
    "Nguyễn",
    "O'Brien",
    "Brown",
    "Dubois",
    "Jensen",
    "Rossi",
    "Novák",
    "Çelik",
    "Fernández",
    "Yamada",
    "Ivanova",
    "Lefèvre",
    "Okafor",
    "Sánchez",
    "Schröder",
    "Håkansson",
    "Costa",
    "Papadopoulos",
]
CONDITIONS = [
    "Hypertension",
    "Type 2 Diabetes",
    "Asthma",
    "Migraine",
    "Arthritis",
    "COPD",
    "Hypothyroidism",
    "Anémie",
    "Depression",
    "Eczema",
    "Chronic kidney disease",
    "Allergies",
]
GENDERS = ["Male", "Female", "Other"]
# Each invalid record breaks one rule the API enforces.
BREAKERS: list[tuple[str, Any]] = [
    ("age", 0),
    ("age", "forty"),
    ("gender", "male"),
    ("lastVisit", "2024-02-30"),
    ("lastVisit", "15/01/2024"),
    ("name", "   "),
    ("patientID", " P1 "),
    ("nickname", "extra field"),
    ("medicalCondition", None),
]
INVALID_RATE = 0.001
DUPLICATE_RATE = 0.00005


def record(rng: random.Random, index: int) -> dict[str, Any]:
    """One patient as json-server stored it; the id style varies like a file edited over years."""
    style = rng.random()
    legacy: Any = (
        f"{rng.getrandbits(16):04x}" if style < 0.1 else index if style < 0.2 else str(index)
    )
    return {
        "id": legacy,
        "patientID": f"P{index:07d}",
        "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
        "age": rng.randint(1, 99) if rng.random() > 0.01 else str(rng.randint(1, 99)),
        "gender": rng.choice(GENDERS),
        "medicalCondition": rng.choice(CONDITIONS),
        "lastVisit": (date(2015, 1, 1) + timedelta(days=rng.randrange(3600))).isoformat(),
    }


def generate(count: int, path: Path, seed: int = 20241126) -> dict[str, int]:
    """Write the file; returns how many records were made invalid or duplicated on purpose."""
    rng = random.Random(seed)
    made = {"invalid": 0, "duplicate": 0}
    with path.open("w", encoding="utf-8") as out:
        out.write('{\n  "patients": [')
        for index in range(1, count + 1):
            item = record(rng, index)
            roll = rng.random()
            if roll < INVALID_RATE:
                field, value = rng.choice(BREAKERS)
                item[field] = value
                made["invalid"] += 1
            elif roll < INVALID_RATE + DUPLICATE_RATE and index > 1:
                item["patientID"] = f"p{rng.randrange(1, index):07d}"
                made["duplicate"] += 1
            text = json.dumps(item, ensure_ascii=False, indent=2).replace("\n", "\n    ")
            out.write(("\n    " if index == 1 else ",\n    ") + text)
        out.write('\n  ],\n  "profile": {\n    "name": "clinic"\n  }\n}\n')
    return made


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("path", type=Path)
    parser.add_argument("--seed", type=int, default=20241126)
    args = parser.parse_args(argv)
    made = generate(args.count, args.path, args.seed)
    print(
        f"wrote {args.count} records to {args.path}: {made['invalid']} invalid, "
        f"{made['duplicate']} duplicate patientIDs"
    )


if __name__ == "__main__":
    main()
