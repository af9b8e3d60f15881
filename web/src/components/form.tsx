// The page's controls: labelled inputs, buttons, tabs, panels and the error line. Every input
// has a visible label, and API errors are shown as the API worded them (as text, never markup).

import {
  useCallback,
  useId,
  useState,
  type InputHTMLAttributes,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
} from 'react';
import { errorText } from '../api/client.ts';

/**
 * A request the user started: `busy` while it runs, its failure as the text for ErrorLine.
 * `run` answers whether the work succeeded.
 */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const run = useCallback(async (work: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true);
    setError(undefined);
    try {
      await work();
      return true;
    } catch (failure) {
      setError(errorText(failure));
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, setError, run };
}

/** A submitted form's text field ('' when absent; file inputs are not text). */
export function textOf(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === 'string' ? value : '';
}

/** A control with its visible label above it; `control` gets the id the label points at. */
function Labelled(props: {
  label: string;
  className: string | undefined;
  control: (id: string) => ReactNode;
}) {
  const id = useId();
  return (
    <div className={`flex flex-col gap-1 ${props.className ?? ''}`}>
      <label htmlFor={id} className="text-xs text-dim">
        {props.label}
      </label>
      {props.control(id)}
    </div>
  );
}

export function Field(
  props: InputHTMLAttributes<HTMLInputElement> & { label: string; hint?: string; error?: string },
) {
  const { label, hint, error, className, ...input } = props;
  return (
    <Labelled
      label={label}
      className={className}
      control={(id) => (
        <>
          <input
            id={id}
            aria-invalid={error === undefined ? undefined : true}
            aria-describedby={error === undefined ? undefined : `${id}-error`}
            className="rounded border border-edge bg-page px-2 py-1.5 text-ink placeholder:italic placeholder:text-dim/60 aria-[invalid]:border-down"
            {...input}
          />
          {hint !== undefined && error === undefined && (
            <span className="text-xs text-dim">{hint}</span>
          )}
          {error !== undefined && (
            <span id={`${id}-error`} className="text-xs text-down">
              {error}
            </span>
          )}
        </>
      )}
    />
  );
}

export function Select(
  props: SelectHTMLAttributes<HTMLSelectElement> & { label: string; children: ReactNode },
) {
  const { label, className, children, ...select } = props;
  return (
    <Labelled
      label={label}
      className={className}
      control={(id) => (
        <select
          id={id}
          className="rounded border border-edge bg-page px-2 py-1.5 text-ink"
          {...select}
        >
          {children}
        </select>
      )}
    />
  );
}

/** Multi-line text (keys, items); the text size comes from `className`, on the wrapper. */
export function TextArea(props: TextareaHTMLAttributes<HTMLTextAreaElement> & { label: string }) {
  const { label, className, ...textarea } = props;
  return (
    <Labelled
      label={label}
      className={className}
      control={(id) => (
        <textarea
          id={id}
          className="num rounded border border-edge bg-page px-2 py-1.5 text-ink placeholder:text-dim/60"
          {...textarea}
        />
      )}
    />
  );
}

export function Button(
  props: React.ButtonHTMLAttributes<HTMLButtonElement> & { tone?: 'primary' | 'plain' | 'danger' },
) {
  const { tone = 'plain', className, ...button } = props;
  const colours = {
    primary: 'bg-accent text-page hover:bg-accent/85 font-semibold',
    plain: 'border border-edge text-ink hover:bg-edge/60',
    danger: 'border border-down/70 text-down hover:bg-down/15',
  }[tone];
  return (
    <button
      type="button"
      className={`rounded px-3 py-1.5 disabled:cursor-not-allowed disabled:opacity-50 ${colours} ${className ?? ''}`}
      {...button}
    />
  );
}

/** One tab of a `role="tablist"`: the styles key on aria-selected, as assistive technology does. */
export function Tab(props: {
  selected: boolean;
  onSelect: () => void;
  className?: string;
  children: ReactNode;
}) {
  return (
    <button
      type="button"
      role="tab"
      aria-selected={props.selected}
      onClick={props.onSelect}
      className={`rounded text-dim hover:text-ink aria-selected:bg-edge aria-selected:text-ink ${props.className ?? ''}`}
    >
      {props.children}
    </button>
  );
}

export function ErrorLine({ message }: { message: string | undefined }) {
  if (message === undefined) return null;
  return (
    <p
      role="alert"
      className="rounded border border-down/50 bg-down/10 px-2 py-1 text-sm text-down"
    >
      {message}
    </p>
  );
}

export function Panel(props: {
  title?: ReactNode;
  children: ReactNode;
  className?: string;
  actions?: ReactNode;
}) {
  return (
    <section
      className={`flex min-h-0 flex-col rounded border border-edge bg-panel ${props.className ?? ''}`}
    >
      {props.title !== undefined && (
        <header className="flex items-center justify-between border-b border-edge px-3 py-1.5">
          <h2 className="text-xs font-semibold uppercase tracking-wide text-dim">{props.title}</h2>
          {props.actions}
        </header>
      )}
      <div className="min-h-0 flex-1">{props.children}</div>
    </section>
  );
}
