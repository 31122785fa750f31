"""How alike two patients are: the one scoring rule of possible duplicates, rendered as SQL.

Names are compared as migration 0010 folds them (the name key, `name_keys[1]`: lower case, Latin
accents and punctuation gone, words sorted, so "Núñez, María" is "maria nunez"), word by word.
Every word of each name takes the best agreement it finds among the other name's words:

| word agreement                                              | counts |
|-------------------------------------------------------------|--------|
| the same word                                               | 1.00   |
| one letter apart (changed, dropped or added; words of 3+)   | 0.85   |
| the same metaphone code, whole ("philip" / "filip")         | 0.65   |
| nothing                                                     | 0      |

(Metaphone keeps consonants only, so distinct surnames often share a code: a weaker sign than
one letter apart.) The name's agreement is the mean over both names' words (so it is
symmetric, and an extra word lowers it). The score adds the evidence, clamped to 0..1:

| evidence                                  | adds                                  |
|-------------------------------------------|---------------------------------------|
| name                                      | 0.60 x agreement                      |
| age: same / one year apart / further      | +0.20 / +0.15 / -0.30 (none if unknown) |
| gender: same / different                  | +0.10 / -0.30 (none if unknown)       |
| patientID, ignoring case: same / one edit | +0.30 / +0.15 (one edit: both of 4+)  |

and grades it: certain from 0.90, probable from 0.75, possible from 0.50; below, no match. A
name alone is at most possible. Two stored patients never share a patientID, so a probable pair
of them has closely agreeing names, ages at most a year apart and the same gender (otherwise
0.60 + 0.20 - 0.30 + 0.15 is the most it can reach): the background check looks only there.

Candidates are found through one index lookup (`patients.name_keys`, migration 0010): names
with the same words, the same sounds, or one letter apart share a key; the most similar
CANDIDATES of them are scored. `name_similar=` finds names the same way, and for a single word
also names with a word spelled like it (trigrams, WORD_THRESHOLD).
"""

from dataclasses import dataclass

from psycopg import sql

EXACT_WORD = 1.0
SPELLED_WORD = 0.85
SOUNDED_WORD = 0.65
NAME_WEIGHT = 0.60
SAME_AGE, NEAR_AGE, OTHER_AGE = 0.20, 0.15, -0.30
SAME_GENDER, OTHER_GENDER = 0.10, -0.30
SAME_PATIENT_ID, NEAR_PATIENT_ID = 0.30, 0.15
CERTAIN, PROBABLE, POSSIBLE = 0.90, 0.75, 0.50
GRADES = (("certain", CERTAIN), ("probable", PROBABLE), ("possible", POSSIBLE))

# pg_trgm's threshold for `<%`, set on every connection (app/database.py): what a one-word
# `name_similar=` finds.
WORD_THRESHOLD = 0.5
CANDIDATES = 100  # scored per patient or candidate, the most similar names first
MAX_MATCHES = 10

REASONS = {
    "same_name": "same name",
    "spelled": "name spelled similarly",
    "sounded": "name sounds alike",
    "same_age": "same age",
    "near_age": "age one year apart",
    "same_gender": "same gender",
    "same_patient_id": "same patientID",
    "near_patient_id": "patientID one edit apart",
}


@dataclass(frozen=True)
class Side:
    """One patient as the rule reads it: SQL expressions for its name keys (`name_keys`, whose
    first is the folded name), age, gender and patientID (NULL where a candidate did not say)."""

    keys: sql.Composable
    age: sql.Composable
    gender: sql.Composable
    patient_id: sql.Composable


def _literal(value: float) -> sql.Composable:
    return sql.SQL("{}::numeric").format(sql.Literal(value))


def _best_words(mine: sql.Composable, theirs: sql.Composable) -> sql.Composed:
    """For each word of `mine`, its best agreement with a word of `theirs`."""
    return sql.SQL(
        "SELECT max(CASE WHEN x = y THEN {exact}"
        " WHEN least(length(x), length(y)) >= 3 AND levenshtein_less_equal(x, y, 1) <= 1"
        " THEN {spelled}"
        " WHEN metaphone(x, 32) <> '' AND metaphone(x, 32) = metaphone(y, 32) THEN {sounded}"
        " ELSE 0 END) AS best"
        " FROM unnest(string_to_array({mine}, ' ')) WITH ORDINALITY AS m (x, i)"
        " CROSS JOIN unnest(string_to_array({theirs}, ' ')) AS t (y) GROUP BY i"
    ).format(
        exact=_literal(EXACT_WORD),
        spelled=_literal(SPELLED_WORD),
        sounded=_literal(SOUNDED_WORD),
        mine=mine,
        theirs=theirs,
    )


def scored(left: Side, right: Side) -> sql.Composed:
    """A LATERAL subquery of one row: `score` (0..1) and `reasons` (text[]) of `left` vs
    `right`, by the rule above."""
    name = sql.SQL(
        "SELECT coalesce(avg(best), 0) AS agreement, bool_or(best = {spelled}) AS spelled,"
        " bool_or(best = {sounded}) AS sounded FROM ({one} UNION ALL {other}) AS words"
    ).format(
        spelled=_literal(SPELLED_WORD),
        sounded=_literal(SOUNDED_WORD),
        one=_best_words(name_key(left.keys), name_key(right.keys)),
        other=_best_words(name_key(right.keys), name_key(left.keys)),
    )
    age_gap = sql.SQL("abs({} - {})").format(left.age, right.age)
    same_id = sql.SQL("lower({}) = lower({})").format(left.patient_id, right.patient_id)
    near_id = sql.SQL(
        "least(length({l}), length({r})) >= 4"
        " AND levenshtein_less_equal(lower({l}), lower({r}), 1) = 1"
    ).format(l=left.patient_id, r=right.patient_id)
    evidence = sql.SQL(
        "SELECT {weight} * n.agreement AS name,"
        " CASE WHEN {gap} = 0 THEN {same_age} WHEN {gap} = 1 THEN {near_age}"
        " WHEN {gap} > 1 THEN {other_age} ELSE 0 END AS age,"
        " CASE WHEN {lg} = {rg} THEN {same_gender} WHEN {lg} <> {rg} THEN {other_gender}"
        " ELSE 0 END AS gender,"
        " CASE WHEN {same_id} THEN {same_pid} WHEN {near_id} THEN {near_pid} ELSE 0 END AS pid,"
        " {lk} = {rk} AS same_name, n.spelled, n.sounded, {gap} AS gap, {lg} = {rg} AS same_sex,"
        " {same_id} AS same_id, {near_id} AS near_id FROM ({name}) AS n"
    ).format(
        weight=_literal(NAME_WEIGHT),
        gap=age_gap,
        same_age=_literal(SAME_AGE),
        near_age=_literal(NEAR_AGE),
        other_age=_literal(OTHER_AGE),
        lg=left.gender,
        rg=right.gender,
        same_gender=_literal(SAME_GENDER),
        other_gender=_literal(OTHER_GENDER),
        same_id=same_id,
        near_id=near_id,
        same_pid=_literal(SAME_PATIENT_ID),
        near_pid=_literal(NEAR_PATIENT_ID),
        lk=name_key(left.keys),
        rk=name_key(right.keys),
        name=name,
    )
    reasons = sql.SQL(", ").join(
        sql.SQL("CASE WHEN {} THEN {} END").format(sql.SQL(condition), sql.Literal(REASONS[key]))
        for key, condition in (
            ("same_name", "e.same_name"),
            ("spelled", "NOT e.same_name AND e.spelled"),
            ("sounded", "NOT e.same_name AND e.sounded"),
            ("same_age", "e.gap = 0"),
            ("near_age", "e.gap = 1"),
            ("same_gender", "e.same_sex"),
            ("same_patient_id", "e.same_id"),
            ("near_patient_id", "e.near_id"),
        )
    )
    return sql.SQL(
        "SELECT round(greatest(least(e.name + e.age + e.gender + e.pid, 1), 0), 3)::float8"
        " AS score, array_remove(ARRAY[{reasons}], NULL) AS reasons FROM ({evidence}) AS e"
    ).format(reasons=reasons, evidence=evidence)


def grade(score: sql.Composable) -> sql.Composed:
    """The grade of `score` (NULL below possible)."""
    cases = sql.SQL(" ").join(
        sql.SQL("WHEN {} >= {} THEN {}").format(score, _literal(floor), sql.Literal(name))
        for name, floor in GRADES
    )
    return sql.SQL("CASE {} END").format(cases)


def name_key(keys: sql.Composable) -> sql.Composed:
    """The folded name among `keys` (a `registry_name_keys` array)."""
    return sql.SQL("({})[1]").format(keys)


def computed_keys(name: sql.Composable) -> sql.Composed:
    """The keys of a name sent in a request, as a subquery: the planner then estimates how many
    names share them from no statistics, a few; with the keys themselves it guessed a sixth of
    a registry of 1,000,000 at times (each key's share added up) and read all of it (4.9 s)."""
    return sql.SQL("(SELECT registry_name_keys({}::text))").format(name)


def _stored(alias: str | None) -> sql.Identifier:
    """The stored name keys of `alias` (of the patients table; unqualified if None)."""
    return sql.Identifier("name_keys") if alias is None else sql.Identifier(alias, "name_keys")


def row(alias: str) -> Side:
    """A stored patient (`alias` of the patients table) as the rule reads it."""
    return Side(
        keys=_stored(alias),
        age=sql.Identifier(alias, "age"),
        gender=sql.Identifier(alias, "gender"),
        patient_id=sql.Identifier(alias, "patient_id"),
    )


def candidate() -> Side:
    """A candidate sent to `POST /patients/match`: bound `%(name)s`, `%(age)s`, `%(gender)s`,
    `%(patient_id)s` (the last three may be NULL)."""
    return Side(
        keys=computed_keys(sql.SQL("%(name)s")),
        age=sql.SQL("%(age)s::int"),
        gender=sql.SQL("%(gender)s::text"),
        patient_id=sql.SQL("%(patient_id)s::text"),
    )


def similar_names(keys: sql.Composable, one_word: bool, alias: str | None = None) -> sql.Composed:
    """Patients (of `alias`; live ones: the indexes are partial) whose name is like the one of
    `keys`: the same words in any order, one letter apart, or sounding alike (one lookup of the
    name keys' index); for `one_word`, also those with a word spelled like it (trigrams)."""
    like = sharing_keys(keys, alias)
    if not one_word:
        return like
    return sql.SQL("({} OR {} <%% {})").format(like, name_key(keys), name_key(_stored(alias)))


def sharing_keys(keys: sql.Composable, alias: str | None = None) -> sql.Composed:
    """The patients (of `alias`) whose name shares a key with `keys`."""
    return sql.SQL("{} && {}").format(_stored(alias), keys)


def similarity_rank(keys: sql.Composable, alias: str | None = None) -> sql.Composed:
    """How alike: trigram similarity of the whole name or of its best-matching part."""
    column, key = name_key(_stored(alias)), name_key(keys)
    return sql.SQL(
        "greatest(similarity({column}, {key}), word_similarity({key}, {column}))"
    ).format(column=column, key=key)
