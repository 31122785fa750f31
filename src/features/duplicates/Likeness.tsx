import { MATCH_GRADES, MATCH_GRADE_LABELS, type MatchGrade } from '../../lib/api/types';

function isGrade(value: string): value is MatchGrade {
  return (MATCH_GRADES as readonly string[]).includes(value);
}

/** "Certain" for "certain"; an unknown grade as the server named it. */
export const gradeLabel = (grade: string) => (isGrade(grade) ? MATCH_GRADE_LABELS[grade] : grade);

/** 0.93 as "93%". */
export const scoreText = (score: number) => `${Math.round(score * 100)}%`;

interface LikenessProps {
  grade: string;
  score: number;
  reasons: string[];
}

/** How alike two records are, in the server's words: grade, score, and why. */
export function Likeness({ grade, score, reasons }: LikenessProps) {
  return (
    <dl className="likeness">
      <div>
        <dt>Grade</dt>
        <dd>{gradeLabel(grade)}</dd>
      </div>
      <div>
        <dt>Score</dt>
        <dd>{scoreText(score)}</dd>
      </div>
      <div>
        <dt>Why</dt>
        <dd>{reasons.length ? reasons.join(', ') : '—'}</dd>
      </div>
    </dl>
  );
}
