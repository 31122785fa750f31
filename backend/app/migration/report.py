"""What a run did, in counts and grouped reasons: never patient data, only positions and ids."""

from collections import Counter
from dataclasses import dataclass, field

from app.errors import FieldProblem

EXIT_OK = 0
EXIT_REJECTS = 1
EXIT_UNREADABLE = 2
EXIT_VERIFY_FAILED = 3
EXIT_DATABASE = 4

MAX_LISTED = 20  # id mappings shown inline; more go to --id-map only


@dataclass
class Difference:
    """A valid record of the file that the database does not hold as written."""

    position: int
    legacy_id: str | None
    fields: list[str]  # names only: the values are health data

    def describe(self) -> str:
        """Where and which fields; never the values."""
        where = f"position {self.position} (legacy id {self.legacy_id or '-'})"
        if self.fields == ["missing"]:
            return f"{where}: not in the database"
        return f"{where}: differs in {', '.join(self.fields)}"


@dataclass
class VerifyReport:
    """--verify: every valid record compared with its row, field by field."""

    compared: int = 0
    matched: int = 0
    duplicates: int = 0  # records whose patientID belongs to another record (import skipped them)
    differences: list[Difference] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """100%: every compared record is identical to its row."""
        return not self.differences

    def render(self) -> str:
        """Counts, then every difference."""
        percent = 100.0 if not self.compared else 100.0 * self.matched / self.compared
        lines = [
            "verify:",
            f"  compared    {self.compared:>10}",
            f"  identical   {self.matched:>10}  ({percent:.2f}%)",
            f"  different   {len(self.differences):>10}",
            f"  not compared{self.duplicates:>10}  (patientID held by another record: skipped)",
        ]
        lines += [f"    {difference.describe()}" for difference in self.differences]
        return "\n".join(lines)


@dataclass
class Report:
    """Counts of one import run; `read` = inserted + skipped + rejected (+ valid in a dry run)."""

    read: int = 0
    inserted: int = 0
    skipped: int = 0
    rejected: int = 0
    valid: int = 0
    dry_run: bool = False
    ignored_collections: list[str] = field(default_factory=list)
    skip_reasons: Counter[str] = field(default_factory=Counter)
    reject_reasons: Counter[str] = field(default_factory=Counter)
    id_map: list[tuple[str | None, int]] = field(default_factory=list)  # first MAX_LISTED only
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)  # where the seconds went
    verify: VerifyReport | None = None

    def reject(self, reasons: list[FieldProblem]) -> None:
        """Count a reject and each of its reasons."""
        self.rejected += 1
        self.reject_reasons.update(f"{problem.field}: {problem.message}" for problem in reasons)

    def map_id(self, legacy_id: str | None, new_id: int) -> None:
        """Keep the first few mappings for the summary; the full map goes to --id-map."""
        if len(self.id_map) < MAX_LISTED:
            self.id_map.append((legacy_id, new_id))

    def exit_code(self, allow_rejects: bool) -> int:
        """0 only when nothing was rejected (unless allowed) and verification passed."""
        if self.verify is not None and not self.verify.ok:
            return EXIT_VERIFY_FAILED
        if self.rejected and not allow_rejects:
            return EXIT_REJECTS
        return EXIT_OK

    def render(self) -> str:
        """The end-of-run summary: counts and grouped reasons."""
        rate = self.read / self.seconds if self.seconds else 0.0
        title = "dry run (nothing written)" if self.dry_run else "import"
        lines = [f"{title}: {self.read} records read in {self.seconds:.1f} s ({rate:,.0f}/s)"]
        if self.dry_run:
            lines.append(f"  valid       {self.valid:>10}  (would be written)")
        else:
            lines.append(f"  inserted    {self.inserted:>10}")
            lines.append(f"  skipped     {self.skipped:>10}")
            lines += _reasons(self.skip_reasons)
        lines.append(f"  rejected    {self.rejected:>10}")
        lines += _reasons(self.reject_reasons)
        if self.ignored_collections:
            lines.append(f"  ignored collections: {', '.join(self.ignored_collections)}")
        if self.id_map and self.inserted <= MAX_LISTED:
            lines.append(
                "  new ids (legacy id -> id): "
                + ", ".join(f"{legacy or '-'} -> {new}" for legacy, new in self.id_map)
            )
        if self.phases and self.seconds >= 10:
            spent = ", ".join(f"{phase} {seconds:.1f} s" for phase, seconds in self.phases.items())
            lines.append(f"  time: {spent}")
        if self.verify is not None:
            lines.append(self.verify.render())
        return "\n".join(lines)


def _reasons(counts: Counter[str]) -> list[str]:
    return [f"    {count:>8}  {reason}" for reason, count in counts.most_common()]
