// One check's outcome in the Merkle explorer: ✓ and what held in green, or ✗ and what failed in
// red, with data-valid for tests and tools.

export function Mark(props: { ok: boolean; yes: string; no: string; testId?: string }) {
  return (
    <span
      className={props.ok ? 'text-up' : 'text-down'}
      data-testid={props.testId}
      data-valid={String(props.ok)}
    >
      {props.ok ? `✓ ${props.yes}` : `✗ ${props.no}`}
    </span>
  );
}
